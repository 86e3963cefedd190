package dev.ballot.engine.transcript;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A transcript test file in etcd-io/raft's datadriven style: each case is a command line (a name, positional
 * words and {@code key=value} arguments), a line {@code ----}, and the output the command must print, ended by a
 * blank line. Lines starting with {@code #} outside a case are comments. Running a file feeds every command, in
 * order, to one interpreter and compares what it printed with what the file says; with
 * {@code -Dballot.rewrite=true} it writes what was printed back into the file instead (then read the diff).
 */
final class Transcript {
    /** One command: {@code name word... key=value...}. */
    record Command(String name, List<String> words, Map<String, String> args, int line) {
        String arg(String key, String otherwise) {
            return args.getOrDefault(key, otherwise);
        }

        long word(int i) {
            if (i >= words.size()) {
                throw new IllegalArgumentException("line " + line + ": " + name + " needs argument " + (i + 1));
            }
            return Long.parseLong(words.get(i));
        }
    }

    private record Case(List<String> preamble, String commandLine, Command command, String expected) {
    }

    private Transcript() {
    }

    /** Runs {@code file} through {@code interpreter}; returns the mismatches (empty when every output matched). */
    static List<String> run(Path file, Function<Command, String> interpreter) throws IOException {
        return run(file, interpreter, Boolean.getBoolean("ballot.rewrite"));
    }

    static List<String> run(Path file, Function<Command, String> interpreter, boolean rewrite) throws IOException {
        List<Case> cases = parse(file);
        List<String> mismatches = new ArrayList<>();
        StringBuilder rewritten = new StringBuilder();
        for (Case c : cases) {
            String actual = interpreter.apply(c.command()).strip();
            if (!actual.equals(c.expected())) {
                mismatches.add(file.getFileName() + ":" + c.command().line() + " " + c.commandLine()
                        + "\n--- expected\n" + c.expected() + "\n--- actual\n" + actual);
            }
            c.preamble().forEach(l -> rewritten.append(l).append('\n'));
            rewritten.append(c.commandLine()).append("\n----\n").append(actual).append("\n\n");
        }
        if (rewrite) {
            Files.writeString(file, rewritten.toString().stripTrailing() + "\n", StandardCharsets.UTF_8);
            return List.of();
        }
        return mismatches;
    }

    private static List<Case> parse(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        List<Case> cases = new ArrayList<>();
        List<String> preamble = new ArrayList<>();
        int i = 0;
        while (i < lines.size()) {
            String line = lines.get(i);
            if (line.isBlank() || line.startsWith("#")) {
                preamble.add(line);
                i++;
                continue;
            }
            int commandLine = i + 1;
            if (i + 1 >= lines.size() || !lines.get(i + 1).equals("----")) {
                throw new IllegalArgumentException(file.getFileName() + ":" + commandLine + ": expected '----' after '"
                        + line + "'");
            }
            i += 2;
            List<String> out = new ArrayList<>();
            while (i < lines.size() && !lines.get(i).isEmpty()) {
                out.add(lines.get(i));
                i++;
            }
            cases.add(new Case(trimBlankTail(preamble), line, command(line, commandLine), String.join("\n", out).strip()));
            preamble = new ArrayList<>();
        }
        return cases;
    }

    private static List<String> trimBlankTail(List<String> preamble) {
        List<String> p = new ArrayList<>(preamble);
        while (!p.isEmpty() && p.get(0).isBlank()) {
            p.remove(0);
        }
        while (!p.isEmpty() && p.get(p.size() - 1).isBlank()) {
            p.remove(p.size() - 1);
        }
        return p;
    }

    private static Command command(String line, int lineNo) {
        String[] parts = line.trim().split("\\s+");
        List<String> words = new ArrayList<>();
        Map<String, String> args = new LinkedHashMap<>();
        for (int k = 1; k < parts.length; k++) {
            int eq = parts[k].indexOf('=');
            if (eq > 0) {
                args.put(parts[k].substring(0, eq), parts[k].substring(eq + 1));
            } else {
                words.add(parts[k]);
            }
        }
        return new Command(parts[0], words, args, lineNo);
    }
}
