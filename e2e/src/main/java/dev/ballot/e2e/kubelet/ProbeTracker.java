package dev.ballot.e2e.kubelet;

/**
 * The kubelet's probe state machine for one probe of one container run: when a probe is due, and what
 * its consecutive results mean. Readiness starts failed and liveness starts passing, as in Kubernetes.
 * Pure: the caller supplies the clock and runs the HTTP request.
 */
public final class ProbeTracker {
  public record Spec(long initialDelayMs, long periodMs, long timeoutMs, int successThreshold, int failureThreshold) {
    public Spec {
      if (periodMs <= 0 || successThreshold <= 0 || failureThreshold <= 0) {
        throw new IllegalArgumentException("probe periodMs, successThreshold and failureThreshold must be > 0");
      }
    }

    /** Kubernetes defaults for absent fields: period 10 s, timeout 1 s, thresholds 1 and 3. */
    public static Spec of(Integer initialDelaySeconds, Integer periodSeconds, Integer timeoutSeconds,
                          Integer successThreshold, Integer failureThreshold) {
      return new Spec(1000L * orDefault(initialDelaySeconds, 0), 1000L * orDefault(periodSeconds, 10),
          1000L * orDefault(timeoutSeconds, 1), orDefault(successThreshold, 1), orDefault(failureThreshold, 3));
    }

    private static int orDefault(Integer v, int d) {
      return v == null || v <= 0 ? d : v;
    }
  }

  private final Spec spec;
  private final long containerStartedAtMs;
  private long lastRunAtMs = -1;
  private int consecutiveSuccesses;
  private int consecutiveFailures;
  private boolean passing;
  private boolean inFlight;

  public ProbeTracker(Spec spec, long containerStartedAtMs, boolean initiallyPassing) {
    this.spec = spec;
    this.containerStartedAtMs = containerStartedAtMs;
    this.passing = initiallyPassing;
  }

  public Spec spec() {
    return spec;
  }

  public boolean due(long nowMs) {
    if (inFlight) {
      return false;
    }
    if (nowMs < containerStartedAtMs + spec.initialDelayMs()) {
      return false;
    }
    return lastRunAtMs < 0 || nowMs >= lastRunAtMs + spec.periodMs();
  }

  /** Marks a probe as sent at nowMs: no other is due until its result is recorded and a period has passed. */
  public void begin(long nowMs) {
    lastRunAtMs = nowMs;
    inFlight = true;
  }

  /** Records one result; returns true when the probe's verdict changed. */
  public boolean record(boolean success, long nowMs) {
    if (!inFlight) {
      lastRunAtMs = nowMs;
    }
    inFlight = false;
    boolean before = passing;
    if (success) {
      consecutiveFailures = 0;
      consecutiveSuccesses++;
      if (consecutiveSuccesses >= spec.successThreshold()) {
        passing = true;
      }
    } else {
      consecutiveSuccesses = 0;
      consecutiveFailures++;
      if (consecutiveFailures >= spec.failureThreshold()) {
        passing = false;
      }
    }
    return before != passing;
  }

  public boolean passing() {
    return passing;
  }
}
