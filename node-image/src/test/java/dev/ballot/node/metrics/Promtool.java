package dev.ballot.node.metrics;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The real promtool: BALLOT_PROMTOOL if set, else the one e2e/tools/build-prometheus.sh builds from Prometheus' Go
 * module into ~/.cache/ballot (instant once cached; .ci/run builds it before the tests). Never skipped: no promtool
 * is a failure, with the command that builds it.
 */
final class Promtool {
    record Run(int exitCode, String stdout, String stderr) {
    }

    private Promtool() {
    }

    static Path find() throws IOException, InterruptedException {
        String override = System.getenv("BALLOT_PROMTOOL");
        if (override != null && !override.isBlank()) {
            return Path.of(override);
        }
        Path script = Path.of("").toAbsolutePath().getParent().resolve("e2e/tools/build-prometheus.sh");
        Run built = run(List.of("bash", script.toString()), null, 3600);
        if (built.exitCode() != 0) {
            throw new IllegalStateException("building promtool: bash " + script + " exited " + built.exitCode()
                    + "\n" + built.stderr());
        }
        Path promtool = Path.of(built.stdout().strip(), "promtool");
        if (!Files.isExecutable(promtool)) {
            throw new IllegalStateException(script + " printed " + built.stdout() + " but " + promtool + " is not executable");
        }
        return promtool;
    }

    static Run run(List<String> command, String stdin, long timeoutSeconds) throws IOException, InterruptedException {
        Path out = Files.createTempFile("promtool", ".out");
        Path err = Files.createTempFile("promtool", ".err");
        try {
            Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            try (var in = p.getOutputStream()) {
                if (stdin != null) {
                    in.write(stdin.getBytes(StandardCharsets.UTF_8));
                }
            }
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " took over " + timeoutSeconds + " s");
            }
            return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
