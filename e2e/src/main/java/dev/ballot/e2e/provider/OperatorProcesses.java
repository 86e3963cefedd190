package dev.ballot.e2e.provider;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The operator processes one cluster's harness started ({@link Cluster#startOperator}): each logs to the run's
 * {@code operator.log} and resolves names through the cluster's hosts file; all are stopped when the cluster closes.
 */
final class OperatorProcesses {
  private final Path repo;
  private final Path log;
  private final Supplier<Path> hostsFile;
  private final List<Process> started = new ArrayList<>();
  private InetSocketAddress metrics;

  OperatorProcesses(Path repo, Path stateDir, Supplier<Path> hostsFile) {
    this.repo = repo;
    this.log = stateDir.resolve("operator.log");
    this.hostsFile = hostsFile;
  }

  synchronized Process start(Path kubeconfig, Map<String, String> env) throws IOException {
    // a metrics port known here (the process would pick a random one), so that the prometheus scenario can scrape it
    Map<String, String> withPort = new HashMap<>(env);
    withPort.putIfAbsent("QUARKUS_HTTP_PORT", Integer.toString(OperatorProcess.freePort()));
    Process p = OperatorProcess.start(repo, kubeconfig, hostsFile.get(), log, withPort);
    started.add(p);
    metrics = new InetSocketAddress("127.0.0.1", Integer.parseInt(withPort.get("QUARKUS_HTTP_PORT")));
    return p;
  }

  /** Where the last operator started serves /q/metrics (empty before one started). */
  synchronized Optional<InetSocketAddress> metrics() {
    return Optional.ofNullable(metrics);
  }

  /** The operators' log (empty before one started). */
  synchronized Optional<Path> log() {
    return started.isEmpty() ? Optional.empty() : Optional.of(log);
  }

  /** SIGTERM to each, SIGKILL after 10 s. */
  synchronized void stopAll() {
    OperatorProcess.stopAll(started);
  }
}
