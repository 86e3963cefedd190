package dev.ballot.node.server;

import dev.ballot.engine.MemberProgress;
import dev.ballot.engine.kv.KvCommand;
import dev.ballot.engine.EntryType;
import dev.ballot.engine.LogEntry;
import dev.ballot.engine.kv.KvResult;
import dev.ballot.engine.kv.KvStateMachine;
import dev.ballot.engine.kv.KvStateMachine.Versioned;
import dev.ballot.node.storage.MemberRecord;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.LongFunction;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Agrees on the cluster's UUID through the log and records who has joined, so that a member that comes back
 * with an empty volume can be recognised ({@link JoinGate}).
 * <ul>
 *   <li>A leader that finds no UUID in the replicated state proposes one (a compare-and-set from absent, so two
 *       leaders in a row cannot both set it).</li>
 *   <li>Every member that has applied it writes its {@link MemberRecord} (cluster id, UUID, own id), fsynced.</li>
 *   <li>The leader marks, in the replicated state, each member whose log holds the UUID's entry (its match index
 *       reached it) as joined; {@code /v1/status} lists them as {@code joinedMembers}, which is what a restarting
 *       empty member asks its peers about.</li>
 * </ul>
 * The keys start with a NUL character, which the client API refuses in keys, so no client can read or forge them.
 * Work runs on its own daemon thread every {@link #EVERY}, never on the driver. It needs the key-value state
 * machine: a node whose log feeds etcd's store (the etcd API on) has no cluster identity yet, so its gate relies on
 * {@code BALLOT_INITIAL_CLUSTER_STATE=existing} alone.
 */
public final class ClusterIdentityKeeper implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ClusterIdentityKeeper.class.getName());
    static final String UUID_KEY = "\u0000ballot/cluster-uuid";
    static final String JOINED_PREFIX = "\u0000ballot/joined/";
    static final Duration EVERY = Duration.ofMillis(200);

    private final NodeRuntime<KvMachine, KvResult> runtime;
    private final Path dataDir;
    private final String clusterId;
    private final LongFunction<String> names;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile MemberRecord record;
    private volatile Set<String> joined = Set.of();

    public ClusterIdentityKeeper(NodeRuntime<KvMachine, KvResult> runtime, Path dataDir, String clusterId, MemberRecord existing,
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
        Optional<Versioned> uuid = read(UUID_KEY);
        RuntimeStatus st = runtime.status();
        if (uuid.isEmpty()) {
            if (st.isLeader()) {
                String fresh = UUID.randomUUID().toString();
                KvCommand cas = KvCommand.cas(runtime.newRequestId(), UUID_KEY, null, fresh.getBytes(StandardCharsets.UTF_8));
                runtime.propose(cas.requestId(), cas.encode()).get(2, TimeUnit.SECONDS);
            }
            return;
        }
        UUID clusterUuid = UUID.fromString(new String(uuid.get().value(), StandardCharsets.UTF_8));
        if (record == null) {
            MemberRecord r = new MemberRecord(clusterId, clusterUuid, runtime.id(), uuid.get().revision(), List.of());
            r.write(dataDir);
            record = r;
            LOG.info(() -> "joined cluster " + clusterId + " (uuid " + clusterUuid + ") as member " + runtime.id()
                    + "; recorded in " + dataDir.resolve(MemberRecord.FILE));
        }
        Set<String> marked = new TreeSet<>();
        List<MemberProgress> toMark = new ArrayList<>();
        for (MemberProgress m : st.node().members()) {
            if (read(JOINED_PREFIX + m.id()).isPresent()) {
                marked.add(names.apply(m.id()));
            } else if (st.isLeader() && (m.id() == runtime.id() || m.matchIndex() >= uuid.get().revision())) {
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
            KvCommand mark = KvCommand.put(runtime.newRequestId(), JOINED_PREFIX + m.id(),
                    clusterUuid.toString().getBytes(StandardCharsets.UTF_8));
            runtime.propose(mark.requestId(), mark.encode()).get(2, TimeUnit.SECONDS);
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

    private Optional<Versioned> read(String key) throws Exception {
        return runtime.readLocal(kv -> kv.get(key)).get(2, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
    }
}
