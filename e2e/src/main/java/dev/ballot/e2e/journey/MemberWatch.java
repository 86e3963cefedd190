package dev.ballot.e2e.journey;

import dev.ballot.nodeapi.StatusReport;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

/**
 * Polls the members' own {@code /v1/status} to time when the engine itself has a new leader, so a
 * failover's status lag splits into the engine's election and the operator's reporting.
 */
final class MemberWatch {
  private static final Duration POLL_TIMEOUT = Duration.ofMillis(300);

  /** {@link #awaitNewLeader} on another thread, so the caller can cause the fault meanwhile; -1 if interrupted. */
  java.util.concurrent.CompletableFuture<Long> newLeaderAsync(List<InetSocketAddress> members, long oldTerm,
      long sinceMs, long deadlineMs) {
    return java.util.concurrent.CompletableFuture.supplyAsync(() -> {
      try {
        return awaitNewLeader(members, oldTerm, sinceMs, deadlineMs);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return -1L;
      }
    });
  }

  /** Millis from {@code sinceMs} until a member leads in a term above {@code oldTerm}; -1 on deadline. */
  long awaitNewLeader(List<InetSocketAddress> members, long oldTerm, long sinceMs, long deadlineMs)
      throws InterruptedException {
    while (System.currentTimeMillis() < deadlineMs) {
      for (InetSocketAddress m : members) {
        try {
          StatusReport s = NodeApi.at(m).withTimeout(POLL_TIMEOUT).status();
          if (s.leads() && s.term() > oldTerm) {
            return System.currentTimeMillis() - sinceMs;
          }
        } catch (IOException e) {
          // the killed member, or one busy electing: try the others
        }
      }
      Thread.sleep(10);
    }
    return -1;
  }
}
