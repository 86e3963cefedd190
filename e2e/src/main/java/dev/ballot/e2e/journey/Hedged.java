package dev.ballot.e2e.journey;

import dev.ballot.e2e.clients.ClientKv;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * One write through the members of a cluster as a client that never waits on a dead member does: to one member first;
 * if it has not answered after {@code hedgeAfter}, to the next one too, and so on; a member that refuses passes the
 * write on to the next at once. The first acknowledgement wins. Each attempt writes its own key ({@code <key>-<n>}),
 * so a late acknowledgement of another attempt cannot be mistaken for it. Every call ends by the client's own
 * deadline, so a write ends once each member has answered or timed out.
 */
final class Hedged implements AutoCloseable {
  /**
   * @param member   index of the member that acknowledged, -1 when none did
   * @param key      the key that member wrote (null when none did)
   * @param attempts calls made for this write
   */
  record Ack(int member, String key, int attempts) {
  }

  private final ClientKv kv;
  private final long hedgeAfterMs;
  private final ExecutorService calls;

  Hedged(ClientKv kv, Duration hedgeAfter, String name) {
    this.kv = kv;
    this.hedgeAfterMs = hedgeAfter.toMillis();
    this.calls = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "kv-write-" + name);
      t.setDaemon(true);
      return t;
    });
  }

  /** Writes {@code value} under a key made from {@code key}, starting with {@code members.get(first)}. */
  Ack write(List<InetSocketAddress> members, int first, String key, String value) throws InterruptedException {
    CompletionService<Ack> answers = new ExecutorCompletionService<>(calls);
    int n = members.size();
    int started = 0;
    int finished = 0;
    start(answers, members, first, key, value, started++);
    while (finished < started) {
      Future<Ack> answer = started < n ? answers.poll(hedgeAfterMs, TimeUnit.MILLISECONDS) : answers.take();
      if (answer == null) { // no answer yet: the next member too
        start(answers, members, (first + started) % n, key, value, started++);
        continue;
      }
      finished++;
      try {
        Ack acked = answer.get();
        return new Ack(acked.member(), acked.key(), started);
      } catch (ExecutionException refused) {
        // not acknowledged (refused, down, or no answer by the client's deadline): the next member, at once
        if (started < n) {
          start(answers, members, (first + started) % n, key, value, started++);
        }
      }
    }
    return new Ack(-1, null, started);
  }

  private void start(CompletionService<Ack> answers, List<InetSocketAddress> members, int member, String key,
                     String value, int attempt) {
    String attemptKey = key + "-" + attempt;
    answers.submit(() -> {
      kv.put(members.get(member), attemptKey, value);
      return new Ack(member, attemptKey, attempt + 1);
    });
  }

  @Override
  public void close() {
    calls.shutdownNow();
  }
}
