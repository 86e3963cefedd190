package dev.ballot.node.demo;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

import static org.assertj.core.api.Assertions.assertThat;

class MemberClassArchiveTest {
    @Test
    void aDirectoryBecomesAJarOfItsFilesMadeOnceUntilAFileChanges(@TempDir Path tmp) throws Exception {
        Path classes = Files.createDirectories(tmp.resolve("classes/dev/x"));
        Files.writeString(classes.resolve("A.class"), "a");
        Files.writeString(tmp.resolve("classes/app.properties"), "k=v");
        Path lib = Files.writeString(tmp.resolve("lib.jar"), "not read");
        Path jars = tmp.resolve("jars");
        String given = lib + File.pathSeparator + tmp.resolve("classes");

        String jarred = DirectoryJars.jarEveryDirectory(given, jars);
        String[] entries = jarred.split(File.pathSeparator);
        assertThat(entries).hasSize(2);
        assertThat(entries[0]).isEqualTo(lib.toString());
        assertThat(entries[1]).startsWith(jars.toString()).endsWith(".jar");
        try (JarFile jar = new JarFile(entries[1])) {
            assertThat(jar.stream().map(JarEntry::getName)).containsExactlyInAnyOrder("app.properties", "dev/x/A.class");
            assertThat(new String(jar.getInputStream(jar.getEntry("dev/x/A.class")).readAllBytes())).isEqualTo("a");
        }
        FileTime made = Files.getLastModifiedTime(Path.of(entries[1]));
        assertThat(DirectoryJars.jarEveryDirectory(given, jars)).isEqualTo(jarred);
        assertThat(Files.getLastModifiedTime(Path.of(entries[1]))).isEqualTo(made);

        Files.writeString(classes.resolve("A.class"), "a, recompiled");
        assertThat(DirectoryJars.jarEveryDirectory(given, jars)).isNotEqualTo(jarred);
    }

    @Test
    void aRebuiltJarGetsAnotherArchive(@TempDir Path dir) throws Exception {
        Path jar = Files.writeString(dir.resolve("a.jar"), "one");
        String before = MemberClassArchive.key(jar.toString());
        assertThat(MemberClassArchive.key(jar.toString())).isEqualTo(before);
        Files.setLastModifiedTime(jar, FileTime.fromMillis(Files.getLastModifiedTime(jar).toMillis() - 10_000));
        assertThat(MemberClassArchive.key(jar.toString())).isNotEqualTo(before);
    }

    /**
     * The real thing: a training run for this JVM's class path, then a JVM started with the arguments maps the archive
     * (the JDK's own log says so), and asking again reuses it.
     */
    @Test
    void aMemberJvmStartsFromTheArchiveMadeForItsClassPath(@TempDir Path dir) throws Exception {
        String classpath = System.getProperty("java.class.path");
        List<String> args = MemberClassArchive.classpathArguments(classpath, dir);
        assertThat(args).anyMatch(a -> a.startsWith("-XX:SharedArchiveFile=" + dir));
        String jarred = args.get(args.indexOf("-cp") + 1);
        assertThat(jarred.split(File.pathSeparator)).allMatch(e -> e.endsWith(".jar"));
        Path archive = Path.of(args.stream().filter(a -> a.startsWith("-XX:SharedArchiveFile=")).findFirst().orElseThrow()
                .substring("-XX:SharedArchiveFile=".length()));
        assertThat(Files.size(archive)).isGreaterThan(1 << 20);
        FileTime made = Files.getLastModifiedTime(archive);

        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(args);
        cmd.add("-Xlog:cds=info"); // after the quiet flags: the JDK says which regions it mapped
        cmd.addAll(List.of("dev.ballot.node.cli.BallotNode", "--help"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(out).contains("Mapped dynamic region").doesNotContain("Unable to use shared archive");
        assertThat(p.exitValue()).as(out).isZero();

        assertThat(MemberClassArchive.classpathArguments(classpath, dir)).isEqualTo(args);
        assertThat(Files.getLastModifiedTime(archive)).isEqualTo(made);
    }
}
