package dev.ballot.e2e.journey;

import dev.ballot.e2e.clients.ClientKv;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A write through the members of a cluster that never waits on a dead member, against a scripted client: members that
 * answer, refuse at once, or hold the call until the client's deadline (a pod whose address drops packets).
 */
@Timeout(60)
class HedgedTest {
  private static final InetSocketAddress A = InetSocketAddress.createUnresolved("a", 1);
  private static final InetSocketAddress B = InetSocketAddress.createUnresolved("b", 1);
  private static final InetSocketAddress C = InetSocketAddress.createUnresolved("c", 1);
  private static final List<InetSocketAddress> MEMBERS = List.of(A, B, C);

  /** How each member answers; a held call ends when {@link #release} opens or after 20 s, as a client deadline would. */
  enum Answer { ACK, REFUSE, HOLD }

  private final CountDownLatch release = new CountDownLatch(1);
  private final Map<InetSocketAddress, Answer> answers = new ConcurrentHashMap<>(Map.of(A, Answer.ACK, B, Answer.ACK, C, Answer.ACK));
  private final ScriptedKv kv = new ScriptedKv();

  @AfterEach
  void releaseHeldCalls() {
    release.countDown();
  }

  @Test
  void aMemberThatAnswersTakesTheWriteAlone() throws Exception {
    try (Hedged hedged = new Hedged(kv, Duration.ofSeconds(2), "t")) {
      Hedged.Ack ack = hedged.write(MEMBERS, 0, "k", "v");
      assertThat(ack).isEqualTo(new Hedged.Ack(0, "k-0", 1));
      assertThat(kv.store).containsExactly(Map.entry("k-0", "v"));
    }
  }

  @Test
  void aMemberThatHoldsTheCallIsPassedByTheNextAfterTheHedgeDelay() throws Exception {
    answers.put(B, Answer.HOLD);
    try (Hedged hedged = new Hedged(kv, Duration.ofSeconds(1), "t")) {
      long t0 = System.nanoTime();
      Hedged.Ack ack = hedged.write(MEMBERS, 1, "k", "v");
      long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
      assertThat(ack.member()).isEqualTo(2);
      assertThat(ack.key()).isEqualTo("k-1");
      assertThat(ack.attempts()).isEqualTo(2);
      assertThat(tookMs).as("the write waited for the held call's deadline (20 s)").isLessThan(10_000);
      assertThat(kv.store).containsOnlyKeys("k-1");
    }
  }

  @Test
  void aMemberThatRefusesPassesTheWriteOnWithoutWaitingForTheHedgeDelay() throws Exception {
    answers.put(A, Answer.REFUSE);
    try (Hedged hedged = new Hedged(kv, Duration.ofSeconds(30), "t")) {
      Hedged.Ack ack = hedged.write(MEMBERS, 0, "k", "v");
      assertThat(ack).isEqualTo(new Hedged.Ack(1, "k-1", 2));
    }
  }

  @Test
  void noMemberAcknowledgingIsNoAcknowledgement() throws Exception {
    answers.put(A, Answer.REFUSE);
    answers.put(B, Answer.HOLD);
    answers.put(C, Answer.REFUSE);
    try (Hedged hedged = new Hedged(kv, Duration.ofMillis(100), "t")) {
      Thread releaser = new Thread(() -> {
        try {
          Thread.sleep(500);
        } catch (InterruptedException e) {
          return;
        }
        release.countDown(); // B's call reaches its deadline
      });
      releaser.start();
      Hedged.Ack ack = hedged.write(MEMBERS, 0, "k", "v");
      assertThat(ack).isEqualTo(new Hedged.Ack(-1, null, 3));
      assertThat(kv.store).isEmpty();
    }
  }

  @Test
  void theWritersGapIsTheHedgeDelayNotTheHeldCallsDeadlineAndEveryAcknowledgedKeyReadsBack() throws Exception {
    // a hedge delay that a loaded machine's scheduling stalls do not reach, so a call that answers is not hedged
    KvWriter writer = new KvWriter("w", kv, () -> MEMBERS, Duration.ofSeconds(30), Duration.ofMillis(500)).start();
    awaitAcked(writer, 5);
    answers.put(A, Answer.HOLD); // the member the writer is on goes away without closing its connections
    int before = writer.ackedCount();
    awaitAcked(writer, before + 20);
    writer.stopAndJoin();
    release.countDown();

    assertThat(writer.maxGapMs()).as("longest time without an acknowledgement (hedge 500 ms, held calls 20 s)")
        .isBetween(500L, 5_000L);
    assertThat(writer.failures()).isZero();
    // one hedged call, then the writer stays with the member that answered: about one call per write (a writer that
    // went back to the held member would make two per write)
    assertThat(writer.attempts()).as("calls for %d acknowledged writes", writer.ackedCount())
        .isBetween(writer.ackedCount() + 1, writer.ackedCount() + 5);
    assertThat(writer.verify(MEMBERS)).as("acknowledged keys that read back wrong").isEmpty();
    assertThat(writer.ackedSnapshot().keySet()).allMatch(kv.store::containsKey);
  }

  private static void awaitAcked(KvWriter writer, int count) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (writer.ackedCount() < count) {
      assertThat(System.nanoTime()).as("%d acknowledged writes within 20 s", count).isLessThan(deadline);
      Thread.sleep(10);
    }
  }

  private final class ScriptedKv implements ClientKv {
    final Map<String, String> store = new ConcurrentHashMap<>();

    @Override
    public void put(InetSocketAddress member, String key, String value) throws IOException {
      switch (answers.get(member)) {
        case ACK -> store.put(key, value);
        case REFUSE -> throw new IOException(member + " refused");
        case HOLD -> {
          try {
            release.await(20, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          throw new IOException(member + ": no answer by the deadline");
        }
      }
    }

    @Override
    public Optional<String> get(InetSocketAddress member, String key) {
      return Optional.ofNullable(store.get(key));
    }

    @Override
    public String name() {
      return "scripted";
    }

    @Override
    public void close() {
    }
  }
}
