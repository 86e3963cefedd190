package dev.ballot.node.server;

import dev.ballot.engine.MemberProgress;
import dev.ballot.engine.kv.KvCommand;
import dev.ballot.engine.EntryType;
import dev.ballot.engine.LogEntry;
import dev.ballot.engine.kv.KvStateMachine;
import dev.ballot.node.storage.MemberRecord;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.LongFunction;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Agrees on the cluster's UUID through the log and records who has joined, so that a member that comes back
 * with an empty volume can be recognised ({@link JoinGate}). The identity is replicated beside the state machine
 * ({@link ClusterIdentity}, applied by {@link NodeRuntime}), so it holds whichever machine the log feeds (the
 * key-value map, etcd's MVCC store, ZooKeeper's data tree) under Raft and ZAB alike.
 * <ul>
 *   <li>A leader that finds no UUID proposes one (set only if absent, so two leaders in a row cannot both set it):
 *       the one in its own {@link MemberRecord} if it has one (a cluster whose identity lived in the key-value
 *       machine keeps its UUID), else a fresh one.</li>
 *   <li>Every member that has applied it writes its {@link MemberRecord} (cluster id, UUID, own id), fsynced.</li>
 *   <li>The leader marks, through the log, each member whose log holds the UUID's entry (its match index reached
 *       it) as joined; {@code /v1/status} lists them as {@code joinedMembers}, which is what a restarting empty
 *       member asks its peers about. Every member keeps the list in its record too, so that restarted it answers
 *       before it has replayed its log.</li>
 * </ul>
 * Work runs on its own daemon thread every {@link #EVERY}, never on the driver.
 */
public final class ClusterIdentityKeeper implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ClusterIdentityKeeper.class.getName());
    /** Where the key-value machine kept the identity before it moved beside the machine (read by old backups). */
    static final String UUID_KEY = "\u0000ballot/cluster-uuid";
    static final String JOINED_PREFIX = "\u0000ballot/joined/";
    static final Duration EVERY = Duration.ofMillis(200);

    private final NodeRuntime<?, ?> runtime;
    private final Path dataDir;
    private final String clusterId;
    private final LongFunction<String> names;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile MemberRecord record;
    private volatile Set<String> joined = Set.of();

    public ClusterIdentityKeeper(NodeRuntime<?, ?> runtime, Path dataDir, String clusterId, MemberRecord existing,
                                 LongFunction<String> names) {
        this.runtime = runtime;
        this.dataDir = dataDir;
        this.clusterId = clusterId;
        this.record = existing;
        this.joined = existing == null ? Set.of() : new TreeSet<>(existing.joinedMembers());
        this.names = names;
        this.thread = new Thread(this::loop, "ballot-identity");
        this.thread.setDaemon(true);
    }

    public ClusterIdentityKeeper start() {
        thread.start();
        return this;
    }

    /** Fields for {@code /v1/status}: {@code clusterUuid}, {@code joinedMembers}, {@code needsReplacement}. */
    public Map<String, Object> statusFields() {
        Map<String, Object> out = new LinkedHashMap<>();
        MemberRecord r = record;
        out.put("clusterUuid", r == null ? null : r.clusterUuid().toString());
        out.put("joinedMembers", r == null ? null : List.copyOf(joined));
        out.put("needsReplacement", false);
        return out;
    }

    private void loop() {
        while (running) {
            try {
                step();
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                LOG.log(Level.FINE, "cluster identity step failed; retrying", e);
            }
            try {
                Thread.sleep(EVERY.toMillis());
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void step() throws Exception {
        ClusterIdentity id = runtime.identity();
        RuntimeStatus st = runtime.status();
        if (id.uuid() == null) {
            if (st.isLeader()) {
                MemberRecord r = record;
                UUID proposed = r != null && clusterId.equals(r.clusterId()) ? r.clusterUuid() : UUID.randomUUID();
                long rid = runtime.newRequestId();
                runtime.propose(rid, ClusterIdentity.setUuid(rid, proposed)).get(2, TimeUnit.SECONDS);
            }
            return;
        }
        if (record == null || !record.clusterUuid().equals(id.uuid())) {
            // First join, or a forced new configuration (quorum-loss recovery) gave the cluster a new identity.
            MemberRecord r = new MemberRecord(clusterId, id.uuid(), runtime.id(), id.uuidIndex(), List.of());
            r.write(dataDir);
            record = r;
            joined = Set.of();
            LOG.info(() -> "joined cluster " + clusterId + " (uuid " + id.uuid() + ") as member " + runtime.id()
                    + "; recorded in " + dataDir.resolve(MemberRecord.FILE));
        }
        Set<String> marked = new TreeSet<>();
        List<MemberProgress> toMark = new ArrayList<>();
        for (MemberProgress m : st.node().members()) {
            if (id.joined().contains(m.id())) {
                marked.add(names.apply(m.id()));
            } else if (st.isLeader() && (m.id() == runtime.id() || m.matchIndex() >= id.uuidIndex())) {
                toMark.add(m);
            }
        }
        if (!marked.equals(joined) && marked.containsAll(joined)) {
            // Kept on disk too, so that restarted (before it has replayed its log) it still answers a peer that asks.
            MemberRecord r = record.withJoined(marked);
            r.write(dataDir);
            record = r;
            joined = marked;
        }
        for (MemberProgress m : toMark) {
            long rid = runtime.newRequestId();
            runtime.propose(rid, ClusterIdentity.markJoined(rid, id.uuid(), m.id())).get(2, TimeUnit.SECONDS);
        }
    }

    /**
     * A key-value snapshot without the cluster identity (the UUID and joined marks): what a cluster restored from
     * another's backup starts from, so that it agrees on its own UUID and records its own members as they join.
     * The deletes are applied at the snapshot's own index, so every other key keeps its revision.
     */
    public static byte[] forgetIdentity(byte[] kvSnapshot) {
        KvStateMachine kv = new KvStateMachine();
        kv.restore(kvSnapshot);
        long at = kv.appliedIndex();
        List<String> internal = kv.view().keySet().stream()
                .filter(k -> k.equals(UUID_KEY) || k.startsWith(JOINED_PREFIX)).toList();
        for (String key : internal) {
            kv.apply(new LogEntry(at, 0, EntryType.COMMAND, KvCommand.delete(0, key).encode()));
        }
        return kv.snapshot();
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
    }
}
