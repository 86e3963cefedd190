package dev.ballot.e2e.journey;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** kubectl as a user runs it, against the cluster's admin kubeconfig; every command is echoed to the log. */
public final class Kubectl {
  public record Result(int exitCode, String out, String err) {
    public boolean ok() {
      return exitCode == 0;
    }

    @Override
    public String toString() {
      return "exit " + exitCode + (err.isBlank() ? "" : ": " + err.strip());
    }
  }

  private final Path kubeconfig;
  private final Path workDir;

  public Kubectl(Path kubeconfig, Path workDir) {
    this.kubeconfig = kubeconfig;
    this.workDir = workDir;
  }

  public Path kubeconfig() {
    return kubeconfig;
  }

  public Result run(String... args) {
    return run(120, args);
  }

  public Result run(long timeoutSeconds, String... args) {
    return run(timeoutSeconds, true, args);
  }

  /** Runs without echoing stdout (for secrets such as tokens). */
  public Result runQuiet(String... args) {
    return run(120, false, args);
  }

  private Result run(long timeoutSeconds, boolean echo, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add("kubectl");
    cmd.add("--kubeconfig=" + kubeconfig);
    cmd.addAll(List.of(args));
    System.err.println("$ kubectl " + String.join(" ", args));
    try {
      Process p = new ProcessBuilder(cmd).directory(workDir.toFile()).start();
      CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
      CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
      if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return new Result(124, out.getNow(""), "kubectl timed out after " + timeoutSeconds + "s");
      }
      Result r = new Result(p.exitValue(), out.get(), err.get());
      if (echo && !r.out().isBlank()) {
        System.err.print(r.out().lines().limit(40).map(l -> "  " + l + "\n").reduce("", String::concat));
      }
      if (!r.err().isBlank()) {
        System.err.print(r.err().lines().limit(20).map(l -> "  ! " + l + "\n").reduce("", String::concat));
      }
      return r;
    } catch (IOException e) {
      return new Result(127, "", "cannot run kubectl: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Result(130, "", "interrupted");
    } catch (java.util.concurrent.ExecutionException e) {
      return new Result(1, "", e.getMessage());
    }
  }

  private static String read(java.io.InputStream in) {
    try {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }
}
