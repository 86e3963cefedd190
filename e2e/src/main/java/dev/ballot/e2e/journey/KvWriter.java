package dev.ballot.e2e.journey;

import dev.ballot.e2e.clients.ClientKv;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A client that keeps writing distinct keys to the cluster, one at a time, through one member (followers forward to
 * the leader), and remembers every write the cluster acknowledged. At the end {@link #verify} reads each acknowledged
 * key back: an acknowledged write that is gone is a lost write. It writes with the client an application would use
 * ({@link ClientKv}: jetcd on Raft, ZooKeeper's on ZAB), to the members' client ports.
 *
 * <p>A write that has no answer within {@link #HEDGE_AFTER} is also sent to the next member, and so on to every
 * member ({@link Hedged}): a member that went away without closing its connections (a deleted pod's address drops
 * packets) holds a call until the client's own deadline (5 s per call, or ZooKeeper's session read timeout), and
 * {@code max_write_gap_ms} would then measure that deadline rather than the cluster. Each attempt writes its own key,
 * so the write that was acknowledged is the one read back; the others may or may not have been applied and are
 * never counted.
 */
public final class KvWriter implements Runnable {
  private final String prefix;
  private final ClientKv kv;
  private final Supplier<List<InetSocketAddress>> members;
  private final Map<String, String> acked = new LinkedHashMap<>();
  private final long deadlineMs;
  private volatile boolean stop;
  private int attempts;
  private int failures;
  private long maxGapMs;
  private volatile long maxGapEndedAt;
  private Thread thread;
  private final Hedged hedged;

  /** How long a write waits for one member's answer before it is also sent to the next. */
  static final Duration HEDGE_AFTER = Duration.ofMillis(500);

  public KvWriter(String prefix, ClientKv kv, Supplier<List<InetSocketAddress>> members, Duration maxRun) {
    this(prefix, kv, members, maxRun, HEDGE_AFTER);
  }

  KvWriter(String prefix, ClientKv kv, Supplier<List<InetSocketAddress>> members, Duration maxRun, Duration hedgeAfter) {
    this.prefix = prefix;
    this.kv = kv;
    this.hedged = new Hedged(kv, hedgeAfter, prefix);
    this.members = members;
    this.deadlineMs = System.currentTimeMillis() + maxRun.toMillis();
  }

  public KvWriter start() {
    kv.prepare(members.get());
    thread = new Thread(this, "kv-writer-" + prefix);
    thread.setDaemon(true);
    thread.start();
    return this;
  }

  public void stopAndJoin() throws InterruptedException {
    stop = true;
    thread.join(10_000);
  }

  @Override
  public void run() {
    int i = 0;
    int member = 0;
    long lastAck = System.currentTimeMillis();
    try {
      while (!stop && System.currentTimeMillis() < deadlineMs) {
        List<InetSocketAddress> addrs = members.get();
        if (addrs.isEmpty()) {
          sleep(50);
          continue;
        }
        String key = prefix + "-" + i;
        String value = "v" + i + "-" + System.nanoTime();
        i++;
        Hedged.Ack ack = hedged.write(addrs, Math.floorMod(member, addrs.size()), key, value);
        attempts += ack.attempts();
        if (ack.member() < 0) {
          // every member refused or did not answer: the cluster is down, or restarting
          failures++;
          member++;
          sleep(20);
          continue;
        }
        synchronized (this) {
          acked.put(ack.key(), value);
        }
        long now = System.currentTimeMillis();
        if (now - lastAck > maxGapMs) {
          maxGapMs = now - lastAck;
          maxGapEndedAt = now;
        }
        lastAck = now;
        member = ack.member(); // stay with the member that answered
        sleep(10);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      hedged.close();
    }
  }

  public synchronized int ackedCount() {
    return acked.size();
  }

  /** Calls made, hedged ones included. */
  public int attempts() {
    return attempts;
  }

  /** Writes that no member acknowledged. */
  public int failures() {
    return failures;
  }

  public long maxGapMs() {
    return maxGapMs;
  }

  /** When (epoch ms) the write that ended the longest gap was acknowledged: to tell which phase of a scenario it fell in. */
  public long maxGapEndedAt() {
    return maxGapEndedAt;
  }

  /** Every acknowledged key with the value written, in order. */
  public synchronized Map<String, String> ackedSnapshot() {
    return new LinkedHashMap<>(acked);
  }

  /**
   * Stops, reads every acknowledged write back ({@link #verify}) and records writes_acked, writes_failed,
   * max_write_gap_ms and acked_lost on {@code r}; the check fails if any is lost.
   */
  public void stopAndCheckNoneLost(ScenarioResult r, List<InetSocketAddress> addrs) throws InterruptedException {
    stopAndJoin();
    List<String> lost = verify(addrs);
    r.put("writes_acked", ackedCount()).put("writes_failed", failures())
        .put("max_write_gap_ms", maxGapMs()).put("acked_lost", lost.size());
    checkNoneLost(r, lost);
  }

  /** The check every scenario that writes ends with: {@code lost} as {@link #verify} returned it. */
  static void checkNoneLost(ScenarioResult r, List<String> lost) {
    r.check(lost.isEmpty(), "acknowledged writes lost: " + String.join(", ", lost.subList(0, Math.min(5, lost.size()))));
  }

  /**
   * Reads every acknowledged key back (linearizable); returns the keys whose value is missing or different.
   * The last call: it closes the client.
   */
  public List<String> verify(List<InetSocketAddress> addrs) throws InterruptedException {
    try {
      return readBack(addrs);
    } finally {
      kv.close();
    }
  }

  private List<String> readBack(List<InetSocketAddress> addrs) {
    Map<String, String> snapshot;
    synchronized (this) {
      snapshot = new LinkedHashMap<>(acked);
    }
    List<String> lost = new ArrayList<>();
    for (Map.Entry<String, String> e : snapshot.entrySet()) {
      String got = null;
      for (int attempt = 0; attempt < 3 * addrs.size() && got == null; attempt++) {
        InetSocketAddress target = addrs.get(attempt % addrs.size());
        try {
          got = kv.get(target, e.getKey()).orElse("<absent>");
        } catch (IOException ex) {
          // no leader yet, or the member is down: ask the next one
          sleep(100);
        }
      }
      if (!e.getValue().equals(got)) {
        lost.add(e.getKey() + (got == null ? " (unreadable)" : " (read " + got + ")"));
      }
    }
    return lost;
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
