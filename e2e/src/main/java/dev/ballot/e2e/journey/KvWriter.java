package dev.ballot.e2e.journey;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A client that keeps writing distinct keys to the cluster, one at a time, trying the members in turn
 * (followers redirect to the leader), and remembers every write the cluster acknowledged. At the end
 * {@link #verify} reads each acknowledged key back: an acknowledged write that is gone is a lost write.
 */
public final class KvWriter implements Runnable {
  private final String prefix;
  private final Supplier<List<InetSocketAddress>> members;
  private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL)
      .connectTimeout(Duration.ofMillis(500)).build();
  private final Map<String, String> acked = new LinkedHashMap<>();
  private final long deadlineMs;
  private volatile boolean stop;
  private int attempts;
  private int failures;
  private long maxGapMs;
  private Thread thread;

  public KvWriter(String prefix, Supplier<List<InetSocketAddress>> members, Duration maxRun) {
    this.prefix = prefix;
    this.members = members;
    this.deadlineMs = System.currentTimeMillis() + maxRun.toMillis();
  }

  public KvWriter start() {
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
        HttpRequest req = HttpRequest.newBuilder(uri(target, key)).timeout(Duration.ofSeconds(2))
            .PUT(HttpRequest.BodyPublishers.ofString(value)).build();
        int code = http.send(req, HttpResponse.BodyHandlers.discarding()).statusCode();
        if (code >= 200 && code < 300) {
          synchronized (this) {
            acked.put(key, value);
          }
          long now = System.currentTimeMillis();
          maxGapMs = Math.max(maxGapMs, now - lastAck);
          lastAck = now;
          i++;
          sleep(10);
          continue;
        }
      } catch (IOException e) {
        // member down or restarting: try the next one
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
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

  /** Reads every acknowledged key back (linearizable); returns the keys whose value is missing or different. */
  public List<String> verify(List<InetSocketAddress> addrs) throws InterruptedException {
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
          HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri(target, e.getKey()))
              .timeout(Duration.ofSeconds(2)).GET().build(), HttpResponse.BodyHandlers.ofString());
          if (r.statusCode() == 200) {
            got = r.body();
          } else if (r.statusCode() == 404) {
            got = "<absent>";
          }
        } catch (IOException ex) {
          sleep(100);
        }
      }
      if (!e.getValue().equals(got)) {
        lost.add(e.getKey() + (got == null ? " (unreadable)" : " (read " + got + ")"));
      }
    }
    return lost;
  }

  private static URI uri(InetSocketAddress a, String key) {
    return URI.create("http://" + a.getHostString() + ":" + a.getPort() + "/v1/kv/" + key);
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
