package dev.ballot.node.metrics;

import dev.ballot.engine.MemberProgress;
import dev.ballot.engine.NodeStatus;
import dev.ballot.node.server.MemberDirectory;
import dev.ballot.node.server.RuntimeListener;
import dev.ballot.node.server.RuntimeStatus;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * The node's Prometheus metrics (names and meanings: docs/metrics.md; keep them stable, dashboards and alert
 * rules in deploy/monitoring read them). Counters and histograms are fed by the driver (as a
 * {@link RuntimeListener}) and by storage (fsync timings); gauges read the latest published status
 * when scraped, so they cost nothing between scrapes.
 */
public final class NodeMetrics implements RuntimeListener {
    private static final double[] LATENCY_BOUNDS = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5};

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
    private final Counter elections;
    private final Counter leaderChanges;
    private final Histogram commitLatency;
    private final Histogram fsyncLatency;
    private final Histogram persistLatency;

    /** Who this member is, for {@code ballot_member_info}. */
    public record Identity(String member, long memberId, String clusterId, String protocol, String version) {
    }

    /** Status gauges, counters and histograms only: no identity, no storage gauges (for in-process tests). */
    public NodeMetrics(Supplier<RuntimeStatus> status, MemberDirectory directory) {
        this(status, directory, null, null);
    }

    /**
     * @param identity what {@code ballot_member_info} says; none when null
     * @param dataDir  the member's data directory, for the storage gauges; none when null
     */
    public NodeMetrics(Supplier<RuntimeStatus> status, MemberDirectory directory, Identity identity, Path dataDir) {
        if (identity != null) {
            // exposed as the gauge ballot_member_info (the client adds the _info suffix)
            Info.builder().name("ballot_member")
                    .help("Always 1; the labels say which member this is (join on instance to name a member)")
                    .labelNames("member", "member_id", "cluster_id", "protocol", "version").register(registry)
                    .addLabelValues(identity.member(), Long.toString(identity.memberId()), identity.clusterId(),
                            identity.protocol(), identity.version());
        }
        if (dataDir != null) {
            StorageGauges.register(registry, dataDir);
        }
        elections = Counter.builder().name("ballot_elections_total")
                .help("Elections this node started (became candidate, pre-candidate or looking)").register(registry);
        leaderChanges = Counter.builder().name("ballot_leader_changes_total")
                .help("Times this node saw a new leader").register(registry);
        commitLatency = Histogram.builder().name("ballot_commit_latency_seconds")
                .help("From proposing a client write to applying it, on the leader")
                .classicUpperBounds(LATENCY_BOUNDS).classicOnly().register(registry);
        fsyncLatency = Histogram.builder().name("ballot_fsync_latency_seconds")
                .help("One fsync of the write-ahead log").classicUpperBounds(LATENCY_BOUNDS).classicOnly().register(registry);
        persistLatency = Histogram.builder().name("ballot_persist_latency_seconds")
                .help("Persisting one batch (entries and hard state, one sync for the batch)")
                .classicUpperBounds(LATENCY_BOUNDS).classicOnly().register(registry);
        GaugeWithCallback.builder().name("ballot_needs_replacement")
                .help("1 when this member's storage was lost and it refuses to vote until replaced (then it serves no engine)")
                .callback(cb -> cb.call(0)).register(registry);
        GaugeWithCallback.builder().name("ballot_term").help("Raft term or ZAB epoch")
                .callback(cb -> cb.call(status.get().node().term())).register(registry);
        GaugeWithCallback.builder().name("ballot_is_leader").help("1 on the leader, 0 elsewhere")
                .callback(cb -> cb.call(status.get().isLeader() ? 1 : 0)).register(registry);
        GaugeWithCallback.builder().name("ballot_has_leader").help("1 when a leader is known")
                .callback(cb -> cb.call(status.get().leaderId() != 0 ? 1 : 0)).register(registry);
        GaugeWithCallback.builder().name("ballot_voters")
                .help("Voters in the configuration this member knows (quorum is floor(voters/2)+1)")
                .callback(cb -> cb.call(status.get().membership().voterIds().size())).register(registry);
        GaugeWithCallback.builder().name("ballot_is_voter")
                .help("1 when this member votes in its configuration, 0 for a learner or observer")
                .callback(cb -> {
                    RuntimeStatus st = status.get();
                    cb.call(st.membership().isVoter(st.node().id()) ? 1 : 0);
                }).register(registry);
        GaugeWithCallback.builder().name("ballot_leader_last_contact_seconds")
                .help("Time since this member last heard from its leader (0 on the leader; absent without a leader)")
                .callback(cb -> {
                    long ms = status.get().millisSinceLeaderContact();
                    if (ms >= 0) {
                        cb.call(ms / 1e3);
                    }
                }).register(registry);
        GaugeWithCallback.builder().name("ballot_commit_index").help("Commit index (zxid for ZAB)")
                .callback(cb -> cb.call(status.get().node().commitIndex())).register(registry);
        GaugeWithCallback.builder().name("ballot_applied_index").help("Applied index (zxid for ZAB)")
                .callback(cb -> cb.call(status.get().node().appliedIndex())).register(registry);
        GaugeWithCallback.builder().name("ballot_last_log_index").help("Last log index (zxid for ZAB)")
                .callback(cb -> cb.call(status.get().node().lastLogIndex())).register(registry);
        perPeerOnLeader(status, directory, "ballot_peer_lag_entries", "On the leader: entries each member is behind the leader's last index",
                (st, m) -> m.matchIndex() < 0 ? -1 : Math.max(0, st.lastLogIndex() - m.matchIndex()));
        perPeerOnLeader(status, directory, "ballot_peer_last_contact_seconds", "On the leader: time since each member last answered",
                (st, m) -> m.ticksSinceContact() < 0 ? -1 : m.ticksSinceContact() * 0.010);
    }

    /**
     * The keyspace quota's gauges: {@code ballot_nospace_alarm} (0 or 1), {@code ballot_keyspace_bytes}, and
     * {@code ballot_keyspace_quota_bytes}, NaN without a quota: the series exists (dashboards and the e2e check that
     * every alert's series has data), and no ratio compared with it matches. Read at scrape time (the state's figures are volatile).
     */
    public void quota(Supplier<dev.ballot.node.server.QuotaState> quota) {
        GaugeWithCallback.builder().name("ballot_nospace_alarm")
                .help("1 while the NOSPACE alarm stands: writes that add data are refused until space is freed (and, "
                        + "on the etcd API, the alarm disarmed)")
                .callback(cb -> cb.call(quota.get().noSpaceAlarm() ? 1 : 0)).register(registry);
        GaugeWithCallback.builder().name("ballot_keyspace_bytes")
                .help("What the keyspace quota counts: keys and values (etcd API: of every version kept until compaction)")
                .callback(cb -> cb.call(quota.get().usedBytes())).register(registry);
        GaugeWithCallback.builder().name("ballot_keyspace_quota_bytes").help("The keyspace quota (quota_bytes); NaN without one")
                .callback(cb -> {
                    dev.ballot.node.server.QuotaState q = quota.get();
                    cb.call(q.hasQuota() ? q.quotaBytes() : Double.NaN);
                }).register(registry);
    }

    /**
     * The etcd API's watches that are off the live feed (docs/etcd-api.md, slow watchers): {@code
     * ballot_etcd_watchers_catching_up} now (slow clients, and watches replaying history from a start revision) and
     * {@code ballot_etcd_slow_watchers_total}, the times a watch fell behind because its client did not read.
     */
    public void etcdWatchers(java.util.function.LongSupplier catchingUp, java.util.function.LongSupplier slowTotal) {
        GaugeWithCallback.builder().name("ballot_etcd_watchers_catching_up")
                .help("etcd API watches sending from history instead of the live feed: their client read too slowly, or"
                        + " they started at a past revision")
                .callback(cb -> cb.call(catchingUp.getAsLong())).register(registry);
        io.prometheus.metrics.core.metrics.CounterWithCallback.builder().name("ballot_etcd_slow_watchers_total")
                .help("Times an etcd API watch left the live feed because its client did not read what was sent")
                .callback(cb -> cb.call(slowTotal.getAsLong())).register(registry);
    }

    /** What a per-peer gauge reads of one member, given the leader's status; negative: not known (no sample). */
    @FunctionalInterface
    private interface PeerReading {
        double read(NodeStatus leader, MemberProgress member);
    }

    /** A gauge labelled {@code peer} with one sample for each other member, on the leader only. */
    private void perPeerOnLeader(Supplier<RuntimeStatus> status, MemberDirectory directory, String name, String help,
                                 PeerReading reading) {
        GaugeWithCallback.builder().name(name).help(help).labelNames("peer").callback(cb -> {
            NodeStatus st = status.get().node();
            if (!st.isLeader()) {
                return;
            }
            for (MemberProgress m : st.members()) {
                double value = m.id() == st.id() ? -1 : reading.read(st, m);
                if (value >= 0) {
                    cb.call(value, directory.name(m.id()));
                }
            }
        }).register(registry);
    }

    @Override
    public void onStatus(RuntimeStatus previous, RuntimeStatus current, boolean changed) {
        if (!changed || previous == null) {
            return;
        }
        String role = current.node().role();
        if (!role.equals(previous.node().role())
                && (role.equals("candidate") || role.equals("precandidate") || role.equals("looking"))) {
            elections.inc();
        }
        if (current.leaderId() != 0 && current.leaderId() != previous.leaderId()) {
            leaderChanges.inc();
        }
    }

    @Override
    public void onCommitted(long nanos) {
        commitLatency.observe(nanos / 1e9);
    }

    @Override
    public void onPersisted(long nanos) {
        persistLatency.observe(nanos / 1e9);
    }

    /** Storage calls this with each fsync's duration. */
    public void fsync(long nanos) {
        fsyncLatency.observe(nanos / 1e9);
    }

    public String contentType() {
        return writer.getContentType();
    }

    public void scrape(OutputStream out) throws IOException {
        writer.write(out, registry.scrape());
    }
}
