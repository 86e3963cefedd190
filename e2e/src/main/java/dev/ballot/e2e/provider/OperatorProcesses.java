package dev.ballot.e2e.provider;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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

  OperatorProcesses(Path repo, Path stateDir, Supplier<Path> hostsFile) {
    this.repo = repo;
    this.log = stateDir.resolve("operator.log");
    this.hostsFile = hostsFile;
  }

  synchronized Process start(Path kubeconfig, Map<String, String> env) throws IOException {
    Process p = OperatorProcess.start(repo, kubeconfig, hostsFile.get(), log, env);
    started.add(p);
    return p;
  }

  /** SIGTERM to each, SIGKILL after 10 s. */
  synchronized void stopAll() {
    OperatorProcess.stopAll(started);
  }
}
