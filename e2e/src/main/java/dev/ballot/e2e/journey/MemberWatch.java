package dev.ballot.e2e.journey;

import dev.ballot.nodeapi.StatusReport;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

/**
 * Polls the members' own {@code /v1/status} to time when the engine itself has a new leader, so a
 * failover's status lag splits into the engine's election and the operator's reporting. The new leader's own
 * {@code leaderSince} tells when it was elected apart from when a poll got through to see it.
 */
final class MemberWatch {
  private static final Duration POLL_TIMEOUT = Duration.ofMillis(300);

  /** {@link #awaitNewLeader} on another thread, so the caller can cause the fault meanwhile; -1 if interrupted. */
  java.util.concurrent.CompletableFuture<Long> newLeaderAsync(List<InetSocketAddress> members, long oldTerm,
      long sinceMs, long deadlineMs) {
    return newLeaderTimesAsync(members, oldTerm, sinceMs, deadlineMs).thenApply(NewLeader::seenMs);
  }

  /** Millis from {@code sinceMs} until a member leads in a term above {@code oldTerm}; -1 on deadline. */
  long awaitNewLeader(List<InetSocketAddress> members, long oldTerm, long sinceMs, long deadlineMs)
      throws InterruptedException {
    return awaitNewLeaderTimes(members, oldTerm, sinceMs, deadlineMs).seenMs();
  }

  /**
   * When the new leader was seen and when it says it was elected, in millis from {@code sinceMs}.
   *
   * @param seenMs    when a poll first answered that a member leads in a term above the old one (-1: not by the
   *                  deadline); bounded by how fast this harness gets answers (a loaded machine, TLS handshakes)
   * @param electedMs the new leader's own {@code leaderSince} (the engine's election, whatever the polls cost);
   *                  -1 when it did not say. Meaningful where the members share this harness's clock (the node and
   *                  local providers run them on this machine)
   */
  record NewLeader(long seenMs, long electedMs) {}

  /** {@link #awaitNewLeaderTimes} on another thread, so the caller can cause the fault meanwhile. */
  java.util.concurrent.CompletableFuture<NewLeader> newLeaderTimesAsync(List<InetSocketAddress> members, long oldTerm,
      long sinceMs, long deadlineMs) {
    return java.util.concurrent.CompletableFuture.supplyAsync(() -> {
      try {
        return awaitNewLeaderTimes(members, oldTerm, sinceMs, deadlineMs);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return new NewLeader(-1, -1);
      }
    });
  }

  NewLeader awaitNewLeaderTimes(List<InetSocketAddress> members, long oldTerm, long sinceMs, long deadlineMs)
      throws InterruptedException {
    while (System.currentTimeMillis() < deadlineMs) {
      for (InetSocketAddress m : members) {
        try {
          StatusReport s = NodeApi.at(m).withTimeout(POLL_TIMEOUT).status();
          if (electedAfter(s, oldTerm)) {
            return new NewLeader(System.currentTimeMillis() - sinceMs, electedMs(s.leaderSince(), sinceMs));
          }
        } catch (IOException e) {
          // the killed member, or one busy electing: try the others
        }
      }
      Thread.sleep(10);
    }
    return new NewLeader(-1, -1);
  }

  /**
   * Whether {@code s} is a leader elected in a term above {@code oldTerm} that says since when: one that serves
   * ({@link StatusReport#serves()}; a ZAB leader still synchronising does not), whose leaderSince times the election.
   */
  static boolean electedAfter(StatusReport s, long oldTerm) {
    return s.serves() && s.term() > oldTerm && s.leaderSince() != null;
  }

  /** Millis from {@code sinceMs} to a leader's {@code leaderSince} (ISO-8601); -1 when absent or unreadable. */
  static long electedMs(String leaderSince, long sinceMs) {
    if (leaderSince == null) {
      return -1;
    }
    try {
      return java.time.Instant.parse(leaderSince).toEpochMilli() - sinceMs;
    } catch (java.time.format.DateTimeParseException e) {
      return -1;
    }
  }
}
