package dev.ballot.e2e.journey;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Samples an ElectionCluster's status every {@code periodMs} on its own thread while a scale runs, keeping every
 * distinct sample: the quorum, the leader, the Available and Reconciling conditions, each member. A sample in which
 * fewer voters answer (reachable, whatever their role) than a majority of the voters is a moment with quorum lost.
 * A sample without a leader (an election: all voters answer but none leads yet) is counted apart, with the terms
 * seen, since on a loaded machine elections also happen without any scaling.
 */
final class ScaleHistory implements Runnable {
  private final Supplier<java.util.Optional<GenericKubernetesResource>> read;
  private final long periodMs;
  private final long t0 = System.currentTimeMillis();
  private final List<String> lines = new ArrayList<>();
  private final List<String> quorumLost = new ArrayList<>();
  private final List<String> unheard = new ArrayList<>();
  private final List<String> leaderless = new ArrayList<>();
  private long minTerm = Long.MAX_VALUE;
  private long maxTerm = Long.MIN_VALUE;
  private volatile boolean stop;
  private Thread thread;
  private String last;

  ScaleHistory(Supplier<java.util.Optional<GenericKubernetesResource>> read, long periodMs) {
    this.read = read;
    this.periodMs = periodMs;
  }

  ScaleHistory start() {
    thread = new Thread(this, "scale-history");
    thread.setDaemon(true);
    thread.start();
    return this;
  }

  void stopAndJoin() throws InterruptedException {
    stop = true;
    thread.join(5_000);
  }

  @Override
  public void run() {
    while (!stop) {
      try {
        read.get().ifPresent(this::sample);
      } catch (RuntimeException e) {
        note("read failed: " + e.getMessage());
      }
      try {
        Thread.sleep(periodMs);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  synchronized void note(String event) {
    lines.add("+" + (System.currentTimeMillis() - t0) + "ms " + event);
  }

  @SuppressWarnings("unchecked")
  private void sample(GenericKubernetesResource ec) {
    Map<String, Object> status = (Map<String, Object>) ec.getAdditionalProperties().get("status");
    if (status == null) {
      return;
    }
    Map<String, Object> q = (Map<String, Object>) status.getOrDefault("quorum", Map.of());
    StringBuilder sb = new StringBuilder();
    sb.append("gen=").append(ec.getMetadata().getGeneration()).append('/').append(status.get("observedGeneration"))
        .append(" leader=").append(status.get("leader")).append(" term=").append(status.get("term"))
        .append(" quorum=").append(q.get("healthy")).append('/').append(q.get("voters")).append(" req=")
        .append(q.get("required"));
    String available = null;
    for (Map<String, Object> c : (List<Map<String, Object>>) status.getOrDefault("conditions", List.of())) {
      if ("Available".equals(c.get("type"))) {
        available = String.valueOf(c.get("status"));
        sb.append(" available=").append(available);
      }
      if ("Reconciling".equals(c.get("type"))) {
        sb.append(" reconciling=").append(c.get("status")).append('/').append(c.get("reason"))
            .append(" \"").append(c.get("message")).append('"');
      }
    }
    sb.append(" members=");
    int answeringVoters = 0;
    int unheardVoters = 0;
    for (Map<String, Object> m : (List<Map<String, Object>>) status.getOrDefault("members", List.of())) {
      if (Boolean.TRUE.equals(m.get("voter")) && Boolean.TRUE.equals(m.get("reachable"))) {
        answeringVoters++;
      }
      // reachable absent: an operator that just started has not heard from it yet (docs/operator.md, Observing)
      if (Boolean.TRUE.equals(m.get("voter")) && m.get("reachable") == null) {
        unheardVoters++;
      }
      sb.append(m.get("name")).append(':').append(Boolean.TRUE.equals(m.get("voter")) ? "v" : "nv").append(':')
          .append(m.get("role")).append(':').append(Boolean.TRUE.equals(m.get("ready")) ? "ready" : "notready")
          .append(' ');
    }
    String line = sb.toString().strip();
    synchronized (this) {
      if (!Objects.equals(line, last)) {
        note(line);
        last = line;
      }
      long required = number(q.get("required"));
      String at = "+" + (System.currentTimeMillis() - t0) + "ms " + line;
      if (answeringVoters + unheardVoters < required) {
        quorumLost.add(at);
      } else if (answeringVoters < required) {
        unheard.add(at);
      }
      if (!"True".equals(available) || status.get("leader") == null) {
        leaderless.add(at);
      }
      long term = number(status.get("term"));
      if (term >= 0) {
        minTerm = Math.min(minTerm, term);
        maxTerm = Math.max(maxTerm, term);
      }
    }
  }

  private static long number(Object o) {
    return o instanceof Number n ? n.longValue() : -1;
  }

  synchronized List<String> quorumLostSamples() {
    return List.copyOf(quorumLost);
  }

  /** Samples in which too few voters answered but the rest were not heard from yet (the operator just started). */
  synchronized List<String> unheardSamples() {
    return List.copyOf(unheard);
  }

  synchronized List<String> leaderlessSamples() {
    return List.copyOf(leaderless);
  }

  /** Terms the status went through since the last call (elections), and starts counting anew. */
  synchronized long takeElections() {
    long n = maxTerm >= minTerm ? maxTerm - minTerm : 0;
    if (maxTerm >= minTerm) {
      minTerm = maxTerm;
    }
    return n;
  }

  /** Writes every sample to {@code file}; returns the file. */
  synchronized Path write(Path file) throws IOException {
    Files.createDirectories(file.getParent());
    Files.write(file, lines);
    return file;
  }
}
