package dev.ballot.e2e.journey;

import dev.ballot.e2e.provider.Cluster;
import java.util.List;
import java.util.Optional;

/**
 * The leading operator's own log, for scenarios that measure how fast the operator reacts: its reconcile timing lines
 * ({@code reconcile of <ns>/<name> took N ms (phase by phase)}) go into the scenario's output, so a CI log that shows a
 * slow status also shows which phase was slow. Only an operator running in the cluster has a pod log to read.
 */
final class OperatorLog {
  /** How many matching lines of a local operator's whole log are shown (it has no --since). */
  static final int LOCAL_TAIL = 30;
  private OperatorLog() {
  }

  /**
   * The leading operator pod's log lines of the last {@code seconds} that contain {@code marker}, or for an operator
   * run as a local process the last {@code tail} such lines of its log file; empty when none.
   */
  static List<String> linesOfLeader(JourneyContext ctx, int seconds, String marker) {
    Optional<java.nio.file.Path> local = ctx.cluster().localOperatorLog();
    if (local.isPresent()) {
      try (var lines = java.nio.file.Files.lines(local.get(), java.nio.charset.StandardCharsets.UTF_8)) {
        List<String> all = lines.filter(l -> l.contains(marker)).toList();
        return all.subList(Math.max(0, all.size() - LOCAL_TAIL), all.size());
      } catch (java.io.IOException | java.io.UncheckedIOException e) {
        return List.of("(could not read " + local.get() + ": " + e.getMessage() + ")");
      }
    }
    if (ctx.cluster().operatorMode() != Cluster.OperatorMode.IN_CLUSTER) {
      return List.of();
    }
    Optional<String> holder = OperatorFailover.holder(ctx);
    if (holder.isEmpty()) {
      return List.of();
    }
    Kubectl.Result logs = ctx.kubectl().runQuiet("-n", Install.OPERATOR_NS, "logs", holder.get(),
        "--since=" + seconds + "s");
    if (!logs.ok() || logs.out() == null) {
      return List.of();
    }
    return logs.out().lines().filter(l -> l.contains(marker)).toList();
  }

  /**
   * Prints {@link #linesOfLeader} about {@code cluster} to stderr, each prefixed {@code operator| }: its reconciles'
   * timing lines and the members' new leaderships as the operator heard of them.
   */
  static void printReconciles(JourneyContext ctx, String cluster, int seconds) {
    linesOfLeader(ctx, seconds, " " + ctx.namespace() + "/" + cluster + " ")
        .forEach(l -> System.err.println("operator| " + l));
  }
}
