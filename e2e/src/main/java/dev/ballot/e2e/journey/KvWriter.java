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
 * A client that keeps writing distinct keys to the cluster, one at a time, trying the members in turn
 * (followers forward to the leader), and remembers every write the cluster acknowledged. At the end
 * {@link #verify} reads each acknowledged key back: an acknowledged write that is gone is a lost write.
 * It writes with the client an application would use ({@link ClientKv}: jetcd on Raft, ZooKeeper's on ZAB), to
 * the members' client ports.
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

  public KvWriter(String prefix, ClientKv kv, Supplier<List<InetSocketAddress>> members, Duration maxRun) {
    this.prefix = prefix;
    this.kv = kv;
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
    while (!stop && System.currentTimeMillis() < deadlineMs) {
      List<InetSocketAddress> addrs = members.get();
      if (addrs.isEmpty()) {
        sleep(50);
        continue;
      }
      String key = prefix + "-" + i;
      String value = "v" + i + "-" + System.nanoTime();
      InetSocketAddress target = addrs.get(Math.floorMod(member, addrs.size()));
      attempts++;
      try {
        kv.put(target, key, value);
        synchronized (this) {
          acked.put(key, value);
        }
        long now = System.currentTimeMillis();
        if (now - lastAck > maxGapMs) {
          maxGapMs = now - lastAck;
          maxGapEndedAt = now;
        }
        lastAck = now;
        i++;
        sleep(10);
        continue;
      } catch (IOException e) {
        // the node refused, or is down or restarting: try the next one
      }
      // an unacknowledged write may or may not have been applied; it is never counted, and its key is
      // not reused so a later read cannot mistake it for an acknowledged one
      failures++;
      i++;
      member++;
      sleep(20);
    }
  }

  public synchronized int ackedCount() {
    return acked.size();
  }

  public int attempts() {
    return attempts;
  }

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
