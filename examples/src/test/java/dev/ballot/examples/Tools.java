package dev.ballot.examples;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** Finds and runs the command-line tools the render tests use (kubectl, helm), with a deadline. */
final class Tools {

  record Run(int exitCode, String stdout, String stderr) {
    String describe(List<String> command) {
      return String.join(" ", command) + " exited " + exitCode + "\nstderr:\n" + stderr;
    }
  }

  private Tools() {}

  /** A tool on PATH, or in $HOME/go/bin where `go install` puts it; an env override wins (e.g. BALLOT_HELM). */
  static Optional<Path> find(String name, String envOverride) {
    String override = System.getenv(envOverride);
    if (override != null && !override.isBlank()) {
      return Optional.of(Paths.get(override));
    }
    List<Path> dirs = new ArrayList<>();
    String path = System.getenv("PATH");
    if (path != null) {
      for (String dir : path.split(File.pathSeparator)) {
        if (!dir.isBlank()) {
          dirs.add(Paths.get(dir));
        }
      }
    }
    dirs.add(Paths.get(System.getProperty("user.home"), "go", "bin"));
    return dirs.stream().map(d -> d.resolve(name)).filter(Files::isExecutable).findFirst();
  }

  static Run run(List<String> command, Path workDir, long timeoutSeconds) {
    return run(command, workDir, timeoutSeconds, null);
  }

  static Run run(List<String> command, Path workDir, long timeoutSeconds, String stdin) {
    try {
      Path out = Files.createTempFile("ballot-tool", ".out");
      Path err = Files.createTempFile("ballot-tool", ".err");
      try {
        Process p = new ProcessBuilder(command).directory(workDir.toFile())
            .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        try (var in = p.getOutputStream()) {
          if (stdin != null) {
            in.write(stdin.getBytes(StandardCharsets.UTF_8));
          }
        }
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
          p.destroyForcibly();
          throw new AssertionError(String.join(" ", command) + " did not finish within " + timeoutSeconds + " s");
        }
        return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
      } finally {
        Files.deleteIfExists(out);
        Files.deleteIfExists(err);
      }
    } catch (IOException e) {
      throw new AssertionError("cannot run " + command + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted running " + command, e);
    }
  }
}
