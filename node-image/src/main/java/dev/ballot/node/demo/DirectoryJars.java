package dev.ballot.node.demo;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

/**
 * Class-path directories as jars, for {@link MemberClassArchive}: the JDK archives classes from jars only, and refuses
 * to archive at all once a class came from a directory (a build's target/classes, where the tests run the node from).
 * A directory's jar is named by a digest of its files (path, size, modification time), so a recompiled directory gets
 * a new jar and an unchanged one is jarred once.
 */
final class DirectoryJars {
    private DirectoryJars() {
    }

    /** {@code classpath} with every directory replaced by its jar in {@code jars} (made if missing); order kept. */
    static String jarEveryDirectory(String classpath, Path jars) throws IOException {
        List<String> entries = new ArrayList<>();
        for (String entry : classpath.split(File.pathSeparator)) {
            if (entry.isEmpty()) {
                continue;
            }
            Path path = Path.of(entry);
            entries.add(Files.isDirectory(path) ? jarOf(path, jars).toString() : entry);
        }
        return String.join(File.pathSeparator, entries);
    }

    static Path jarOf(Path dir, Path jars) throws IOException {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(dir)) {
            files = walk.filter(Files::isRegularFile).sorted().toList();
        }
        Path jar = jars.resolve(digest(dir, files) + ".jar");
        if (Files.isRegularFile(jar)) {
            return jar;
        }
        Files.createDirectories(jars);
        Path partial = jars.resolve(jar.getFileName() + ".partial");
        try (OutputStream out = Files.newOutputStream(partial); JarOutputStream zip = new JarOutputStream(out)) {
            for (Path f : files) {
                JarEntry entry = new JarEntry(dir.relativize(f).toString().replace(File.separatorChar, '/'));
                entry.setTime(Files.getLastModifiedTime(f).toMillis());
                zip.putNextEntry(entry);
                Files.copy(f, zip);
                zip.closeEntry();
            }
        }
        publish(partial, jar);
        return jar;
    }

    private static String digest(Path dir, List<Path> files) throws IOException {
        StringBuilder text = new StringBuilder(dir.toAbsolutePath().toString());
        for (Path f : files) {
            text.append('\n').append(dir.relativize(f)).append(' ').append(Files.size(f)).append(' ')
                    .append(Files.getLastModifiedTime(f).toMillis());
        }
        return shortDigest(text.toString());
    }

    /** The first 12 bytes of the SHA-256 of {@code text}, in hex: a file name that changes when the text does. */
    static String shortDigest(String text) {
        try {
            byte[] sum = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(sum, 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    /** Gives a finished file its final name in one step where the file system can, so no reader sees it half-written. */
    static void publish(Path partial, Path target) throws IOException {
        try {
            Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
