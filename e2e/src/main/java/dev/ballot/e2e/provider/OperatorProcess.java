package dev.ballot.e2e.provider;

import dev.ballot.e2e.kubelet.ProcessKubelet;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Runs the operator as a local JVM with a given kubeconfig (its ServiceAccount's, so deploy/'s RBAC is
 * what it gets) and the kubelet's hosts file as DNS. The command is the Quarkus fast-jar unless
 * BALLOT_OPERATOR_JAR names another jar.
 */
public final class OperatorProcess {
  private OperatorProcess() {}

  public static Path jar(Path repo) {
    String override = System.getenv("BALLOT_OPERATOR_JAR");
    return override != null && !override.isEmpty() ? Path.of(override)
        : repo.resolve("operator/target/quarkus-app/quarkus-run.jar");
  }

  public static Process start(Path repo, Path kubeconfig, Path hostsFile, Path log, Map<String, String> extraEnv)
      throws IOException {
    Path jar = jar(repo);
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException("operator jar " + jar + " is missing: build it with "
          + "`mvn -B -q -pl operator -am package -DskipTests` (or set BALLOT_OPERATOR_JAR)");
    }
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse("java"));
    if (hostsFile != null) {
      cmd.addAll(ProcessKubelet.dnsJvmOptions(hostsFile));
    }
    cmd.addAll(List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xmx384m", "-jar", jar.toString()));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().put("KUBECONFIG", kubeconfig.toString());
    pb.environment().put("QUARKUS_HTTP_HOST", "127.0.0.1");
    pb.environment().put("QUARKUS_HTTP_PORT", Integer.toString(freePort()));
    pb.environment().put("POD_NAMESPACE", "ballot-system");
    pb.environment().put("POD_NAME", "ballot-operator-local");
    pb.environment().put("QUARKUS_OPERATOR_SDK_NAMESPACES", "JOSDK_ALL_NAMESPACES");
    pb.environment().put("BALLOT_OPERATOR_LEADER_ELECTION_ENABLED", "false");
    // The operator's default (TLS for every new cluster), as with the in-cluster operator; BALLOT_E2E_TLS=0 runs the
    // journey plain (JourneyTls.on).
    if ("0".equals(System.getenv("BALLOT_E2E_TLS"))) {
      pb.environment().put("BALLOT_TLS_DEFAULT_ENABLED", "false");
    }
    pb.environment().putAll(extraEnv);
    pb.redirectErrorStream(true).redirectOutput(log.toFile());
    return pb.start();
  }

  /** Stops operator processes the harness started: SIGTERM, SIGKILL after 10 s. */
  static void stopAll(List<Process> operators) {
    for (Process p : operators) {
      p.destroy();
      try {
        if (!p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
      } catch (InterruptedException e) {
        p.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Deletes a run's state dir unless the user asked to keep it (BALLOT_E2E_KEEP) or named it (not purge). */
  static void purgeStateDir(Path state, boolean purge) {
    if (!purge || System.getenv("BALLOT_E2E_KEEP") != null) {
      return;
    }
    try (var walk = Files.walk(state)) {
      walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      System.err.println("could not delete " + state + ": " + e.getMessage());
    }
  }

  /** A TCP port free on the loopback address right now. */
  public static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
