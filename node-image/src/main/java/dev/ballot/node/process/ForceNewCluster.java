package dev.ballot.node.process;

import dev.ballot.engine.EntryType;
import dev.ballot.engine.HardState;
import dev.ballot.engine.LogEntry;
import dev.ballot.engine.MalformedMessageException;
import dev.ballot.engine.Member;
import dev.ballot.engine.MemberKind;
import dev.ballot.engine.Membership;
import dev.ballot.engine.MembershipCodec;
import dev.ballot.engine.PersistedState;
import dev.ballot.engine.Ready;
import dev.ballot.engine.Snapshot;
import dev.ballot.node.config.NodeConfig;
import dev.ballot.node.etcd.EtcdMachine;
import dev.ballot.node.server.ClusterIdentity;
import dev.ballot.node.server.EngineFactory;
import dev.ballot.node.server.IdentityEnvelope;
import dev.ballot.node.server.KvMachine;
import dev.ballot.node.server.ReplicatedStateMachine;
import dev.ballot.node.storage.CorruptStorageException;
import dev.ballot.node.storage.RecoveryRequest;
import dev.ballot.node.storage.FileNodeStorage;
import dev.ballot.node.storage.MemberRecord;
import dev.ballot.node.zookeeper.ZooKeeperMachine;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.logging.Logger;

/**
 * Quorum-loss recovery, as etcd's {@code --force-new-cluster}: the member a human chose to keep restarts as the only
 * voter of its configuration with everything its log and snapshot hold, so it can lead alone (the learners/observers
 * it had stay in it: {@link #rebuiltConfiguration}); the lost voters are then added again empty, as learners/observers
 * (the operator's replacement), and promoted once caught up.
 *
 * <p>Asked for with {@code POST /v1/admin/force-new-cluster} (only while this member knows no leader), which records a
 * {@link RecoveryRequest} in the data directory; carried out at the member's next start, before its engine runs: it
 * applies every entry of its log (committed or not, as etcd does: this member's log is what the cluster keeps), writes
 * the result as its snapshot under a configuration of itself alone with a new cluster identity (a fresh UUID, only
 * itself joined), and deletes the request. Writes acknowledged by the lost quorum after the kept index are lost: the
 * outcome and the log say which index was kept.
 */
public final class ForceNewCluster {
    private static final Logger LOG = Logger.getLogger(ForceNewCluster.class.getName());

    /** What was done: the index (zxid) and term kept, and the new identity. */
    public record Outcome(String id, long index, long term, UUID clusterUuid, String message) {
    }

    private ForceNewCluster() {
    }

    /** Records the request (the HTTP handler): carried out when this member next starts. */
    public static void record(NodeConfig config, String id) throws IOException {
        new RecoveryRequest(config.nodeName(), id).write(config.dataDir());
    }

    /** Carries out a recorded request, if any; empty when there is none. */
    public static Optional<Outcome> applyIfAsked(NodeConfig config) throws IOException, CorruptStorageException {
        Optional<RecoveryRequest> request = RecoveryRequest.read(config.dataDir());
        if (request.isEmpty()) {
            return Optional.empty();
        }
        if (!request.get().member().equals(config.nodeName())) {
            throw new CorruptStorageException(config.dataDir().resolve(RecoveryRequest.FILE), -1, "the recovery request "
                    + "names " + request.get().member() + ", but this member is " + config.nodeName(),
                    "this data directory belongs to another member; mount the right volume");
        }
        if (MemberRecord.freshDirectory(config.dataDir())) {
            throw new IOException("asked to rebuild the cluster from " + config.nodeName() + " (request "
                    + request.get().id() + "), but its data directory " + config.dataDir() + " holds no log: choose a "
                    + "member that kept its data");
        }
        Outcome outcome = rebuild(config, request.get().id());
        RecoveryRequest.delete(config.dataDir());
        LOG.warning(outcome.message());
        return Optional.of(outcome);
    }

    private static Outcome rebuild(NodeConfig config, String id) throws IOException, CorruptStorageException {
        try (FileNodeStorage storage = FileNodeStorage.open(config.dataDir(), config.clusterId(), config.nodeId(), n -> { })) {
            PersistedState before = storage.load();
            ReplicatedStateMachine<?> machine = newMachine(config);
            long index = 0;
            long term = 0;
            Snapshot base = before.snapshot();
            if (base != null) {
                machine.restore(IdentityEnvelope.unwrap(base.data()).machine());
                index = base.index();
                term = base.term();
            }
            for (LogEntry e : before.entries()) {
                if (e.index() <= index) {
                    continue;
                }
                // The lost configuration's identity is replaced below; the machine sees an empty entry for it.
                machine.apply(ClusterIdentity.isCommand(e.data())
                        ? new LogEntry(e.index(), e.term(), EntryType.NOOP, new byte[0]) : e);
                index = e.index();
                term = e.term();
            }
            UUID uuid = UUID.randomUUID();
            Membership alone = rebuiltConfiguration(latestConfiguration(config, before), config.nodeId(),
                    EngineFactory.peerAddress(config.self()));
            int nonVoters = alone.members().size() - 1;
            byte[] data = IdentityEnvelope.wrap(new ClusterIdentity(uuid, index, Set.of(config.nodeId())),
                    machine.snapshot());
            HardState hs = before.hardState();
            // The term (ZAB: epoch) never goes back; commit = the kept index: this member's log is now the cluster's.
            HardState after = new HardState(Math.max(hs.term(), term), hs.vote(), index,
                    Math.max(hs.acceptedEpoch(), Math.max(hs.term(), term)));
            storage.persist(new Ready(after, Ready.NO_TRUNCATION, List.of(), new Snapshot(index, term, alone, data),
                    List.of(), List.of(), List.of()));
            new MemberRecord(config.clusterId(), uuid, config.nodeId(), index, List.of(config.nodeName()))
                    .write(config.dataDir());
            return new Outcome(id, index, term, uuid, "FORCE NEW CLUSTER: rebuilt the cluster from " + config.nodeName()
                    + " (request " + id + "): kept its log up to index " + index + " (term/epoch " + term + ") as a "
                    + "configuration of itself alone" + (nonVoters == 0 ? "" : " as voter, with the " + nonVoters
                    + " learner(s)/observer(s) it had") + ", new cluster UUID " + uuid + "; writes acknowledged after"
                    + " index " + index + " may be lost; add the other members again empty, as learners/observers");
        }
    }

    /**
     * The configuration the rebuilt cluster starts with: this member as its only voter, and every learner/observer of
     * the configuration it kept. A non-voter never voted, so it cannot hold a lost majority's decisions the kept
     * member lacks; it keeps its data and follows the rebuilt cluster (a ZAB observer learns the new configuration
     * from its leader's election notifications). Left out, nobody would add it again: the operator re-adds the lost
     * voters only.
     */
    static Membership rebuiltConfiguration(Membership kept, long self, String address) {
        List<Member> members = new ArrayList<>();
        members.add(new Member(self, MemberKind.VOTER, address));
        kept.members().stream().filter(m -> m.id() != self && !m.kind().votes()).forEach(members::add);
        return Membership.of(members);
    }

    /** The configuration in force at the end of the kept log: its last CONFIG entry, else its snapshot's, else the file's. */
    static Membership latestConfiguration(NodeConfig config, PersistedState before) throws CorruptStorageException {
        Snapshot snapshot = before.snapshot();
        Membership latest = snapshot != null && snapshot.membership() != null ? snapshot.membership()
                : config.initialMembership();
        for (LogEntry e : before.entries()) {
            if (e.type() == EntryType.CONFIG && (snapshot == null || e.index() > snapshot.index())) {
                try {
                    latest = MembershipCodec.decode(e.data());
                } catch (MalformedMessageException ex) {
                    throw new CorruptStorageException(config.dataDir(), e.index(), "the configuration entry at index "
                            + e.index() + " does not decode: " + ex.getMessage(), "rebuild from another member");
                }
            }
        }
        return latest;
    }

    static ReplicatedStateMachine<?> newMachine(NodeConfig config) {
        return switch (BackupRestore.machineOf(config)) {
            case ZooKeeperMachine.KIND -> new ZooKeeperMachine();
            case EtcdMachine.KIND -> new EtcdMachine();
            default -> new KvMachine(config.quotaBytes());
        };
    }
}
