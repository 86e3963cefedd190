package dev.ballot.operator.metrics;

import dev.ballot.operator.actions.ActionPhase;
import dev.ballot.operator.api.ActionStatus;
import dev.ballot.operator.api.ElectionClusterStatus;
import dev.ballot.operator.api.TlsStatus;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToDoubleFunction;

/**
 * The operator's per-cluster gauges on /q/metrics, labelled {@code namespace} and {@code cluster}, from the status
 * each reconcile computed: whether a leader is known, its term, voters and voters up, fault tolerance, whether a
 * rollout step is pending, the one-off actions by phase, when its first certificate expires, and reconcile failures. A cluster's series go when it is
 * deleted (a reconcile still running then cannot bring them back). Prometheus names (Micrometer's naming convention
 * turns the dots into underscores and adds the unit and {@code _total}); see docs/operator.md, "Metrics".
 */
public final class ClusterGauges {
    static final String PREFIX = "ballot.operator.cluster.";
    /** How long a deleted cluster's uid is remembered (a reconcile that began before the deletion ends sooner). */
    static final Duration REMEMBER_DELETION = Duration.ofMinutes(10);

    private final MeterRegistry registry;
    private final Map<String, Series> clusters = new ConcurrentHashMap<>();
    private final Map<String, Long> deletedUids = new ConcurrentHashMap<>();

    public ClusterGauges(MeterRegistry registry) {
        this.registry = registry;
    }

    /** What the gauges of one cluster read (the latest status); replaced whole on every reconcile. */
    private record Values(double leaderPresent, double term, double voters, double votersUp, double faultTolerance,
                          double rolloutInProgress, Map<ActionPhase, Integer> actions, double certificateExpiry) {
        static final Values NONE = new Values(0, 0, 0, 0, 0, 0, Map.of(), Double.NaN);

        static Values of(ElectionClusterStatus s) {
            Map<ActionPhase, Integer> actions = new java.util.EnumMap<>(ActionPhase.class);
            if (s.actions != null) {
                for (ActionStatus a : s.actions) {
                    for (ActionPhase p : ActionPhase.values()) {
                        if (p.name().equals(a.phase)) {
                            actions.merge(p, 1, Integer::sum);
                        }
                    }
                }
            }
            boolean leader = s.leader != null && !s.leader.isEmpty();
            return new Values(leader ? 1 : 0, leader && s.term != null ? s.term : 0,
                    s.quorum == null || s.quorum.voters == null ? 0 : s.quorum.voters,
                    s.quorum == null || s.quorum.healthy == null ? 0 : s.quorum.healthy,
                    s.quorum == null || s.quorum.faultTolerance == null ? 0 : s.quorum.faultTolerance,
                    s.rollout != null && s.rollout.step != null && !s.rollout.step.isEmpty() ? 1 : 0, actions,
                    firstExpiry(s.tls));
        }

        /**
         * The earlier of the CA's and the first-expiring certificate's notAfter (Unix seconds); NaN without TLS (a
         * sample no comparison matches, so the expiry alert never fires for a plain cluster) or an unreadable time.
         */
        static double firstExpiry(TlsStatus tls) {
            if (tls == null) {
                return Double.NaN;
            }
            double first = Double.NaN;
            for (String at : new String[] {tls.caNotAfter, tls.nextNotAfter}) {
                try {
                    double seconds = at == null ? Double.NaN : Instant.parse(at).getEpochSecond();
                    first = Double.isNaN(first) || seconds < first ? seconds : first;
                } catch (DateTimeParseException e) {
                    // not a time: leave it out
                }
            }
            return first;
        }
    }

    /** One cluster's meters and the values they read. */
    private static final class Series {
        final String uid;
        volatile Values values = Values.NONE;
        volatile double lastErrorSeconds;
        final List<Meter> meters = new ArrayList<>();
        Counter errors;

        Series(String uid) {
            this.uid = uid;
        }
    }

    /** Records the status a reconcile computed for the cluster {@code namespace/name} of {@code uid}. */
    public void record(String namespace, String name, String uid, ElectionClusterStatus status) {
        Series s = series(namespace, name, uid);
        if (s != null && status != null) {
            s.values = Values.of(status);
        }
    }

    /** Counts a failed reconcile and records when it happened. */
    public void reconcileFailed(String namespace, String name, String uid, Instant at) {
        Series s = series(namespace, name, uid);
        if (s != null) {
            s.errors.increment();
            s.lastErrorSeconds = at.toEpochMilli() / 1000.0;
        }
    }

    /** The cluster was deleted: its series go, and a reconcile that began before cannot bring them back. */
    public void forget(String namespace, String name, String uid) {
        if (uid != null) {
            long now = System.nanoTime();
            deletedUids.values().removeIf(seen -> now - seen > REMEMBER_DELETION.toNanos());
            deletedUids.put(uid, now);
        }
        Series s = clusters.remove(namespace + "/" + name);
        if (s != null) {
            s.meters.forEach(registry::remove);
        }
    }

    private Series series(String namespace, String name, String uid) {
        if (uid != null && deletedUids.containsKey(uid)) {
            return null;
        }
        String key = namespace + "/" + name;
        Series existing = clusters.get(key);
        if (existing != null && existing.uid != null && uid != null && !existing.uid.equals(uid)) {
            forget(namespace, name, null); // deleted and created again under the same name
        }
        return clusters.computeIfAbsent(key, k -> register(namespace, name, uid));
    }

    private Series register(String namespace, String name, String uid) {
        Series s = new Series(uid);
        Tags tags = Tags.of("namespace", namespace, "cluster", name);
        gauge(s, "leader.present", "1 when a member leads, else 0", tags, null, v -> v.values.leaderPresent());
        gauge(s, "term", "Raft term or ZAB epoch of the current leader (0 without a leader)", tags, null,
                v -> v.values.term());
        gauge(s, "voters", "Voting members in the configuration", tags, null, v -> v.values.voters());
        gauge(s, "voters.up", "Voters that answer and follow the leader", tags, null, v -> v.values.votersUp());
        gauge(s, "fault.tolerance", "How many more voters may fail with the rest still a majority", tags, null,
                v -> v.values.faultTolerance());
        gauge(s, "rollout.in.progress", "1 while a rolling-update or scaling step is pending, else 0", tags, null,
                v -> v.values.rolloutInProgress());
        for (ActionPhase phase : ActionPhase.values()) {
            gauge(s, "actions", "One-off actions (status.actions) in each phase, latest request of each kind",
                    tags.and("phase", phase.name()), null, v -> v.values.actions().getOrDefault(phase, 0));
        }
        gauge(s, "certificate.expiry.timestamp", "When the cluster's first certificate expires, the CA or the"
                + " member, operator or client certificate that expires first (status.tls; Unix time; NaN without"
                + " TLS)", tags, "seconds", v -> v.values.certificateExpiry());
        gauge(s, "last.reconcile.error.timestamp", "When a reconcile of the cluster last failed (Unix time; 0: never"
                + " since the operator started)", tags, "seconds", v -> v.lastErrorSeconds);
        s.errors = Counter.builder(PREFIX + "reconcile.errors").description("Failed reconciles of the cluster")
                .tags(tags).register(registry);
        s.meters.add(s.errors);
        return s;
    }

    private void gauge(Series s, String name, String help, Tags tags, String unit, ToDoubleFunction<Series> read) {
        s.meters.add(Gauge.builder(PREFIX + name, s, read).description(help).tags(tags).baseUnit(unit)
                .register(registry));
    }
}
