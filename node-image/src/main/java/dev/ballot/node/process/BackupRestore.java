package dev.ballot.node.process;

import dev.ballot.backup.BackupFetch;
import dev.ballot.backup.BackupKeys;
import dev.ballot.backup.BackupManifest;
import dev.ballot.backup.BackupStore;
import dev.ballot.backup.S3Credentials;
import dev.ballot.backup.S3Location;
import dev.ballot.engine.HardState;
import dev.ballot.engine.MemberKind;
import dev.ballot.engine.Ready;
import dev.ballot.engine.Snapshot;
import dev.ballot.node.config.NodeConfig;
import dev.ballot.node.etcd.EtcdMachine;
import dev.ballot.node.server.ClusterIdentityKeeper;
import dev.ballot.node.server.EngineFactory;
import dev.ballot.node.server.JoinGate;
import dev.ballot.node.server.KvMachine;
import dev.ballot.node.storage.CorruptStorageException;
import dev.ballot.node.storage.FileNodeStorage;
import dev.ballot.node.storage.MemberRecord;
import dev.ballot.node.zookeeper.ZooKeeperMachine;

import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * Writes a member's initial state from a backup, before it first starts (the operator runs it as an init container of
 * a cluster created with {@code spec.bootstrap.fromBackup}). The backup's state machine image becomes the member's
 * snapshot at the backup's index and term, under this cluster's own configuration, so every voter starts at the same
 * index and the first election goes on from the backup's term.
 *
 * <p>It writes only into a brand-new voter's empty directory while the cluster bootstraps: a directory that holds
 * anything is left alone (so the init step is idempotent across pod restarts), and a voter whose volume was lost
 * after the cluster bootstrapped ({@link JoinGate}: {@code existing}, or a peer says it joined) is left empty, to be
 * reported as needing replacement rather than come back with old state. Learners and observers start empty and
 * catch up from the leader.
 */
public final class BackupRestore {
    /** What happened. */
    public record Outcome(boolean restored, String message) {
    }

    /** Where the backup is: the store, the source cluster and which of its backups. */
    public record Source(S3Location location, S3Credentials credentials, String namespace, String cluster, String object) {
    }

    private BackupRestore() {
    }

    public static Outcome restore(NodeConfig config, Map<String, String> env, Source source) throws Exception {
        if (!MemberRecord.freshDirectory(config.dataDir())) {
            return new Outcome(false, "the data directory " + config.dataDir() + " already holds this member's state; "
                    + "nothing restored (a member restores only once, into an empty directory)");
        }
        if (config.self().kind() != MemberKind.VOTER) {
            return new Outcome(false, "a " + config.self().kind().wireName() + " starts empty and catches up from the "
                    + "leader; nothing restored");
        }
        JoinGate.Decision gate = JoinGate.check(config, env);
        if (gate.verdict() == JoinGate.Verdict.NEEDS_REPLACEMENT) {
            return new Outcome(false, "not restoring into an empty voter of a cluster that has bootstrapped (" + gate.reason()
                    + "); the member will report that it needs replacing");
        }
        BackupFetch.Fetched fetched;
        try (BackupStore store = BackupStore.open(source.location(), source.credentials())) {
            String prefix = BackupKeys.clusterPrefix(source.location(), source.namespace(), source.cluster());
            fetched = BackupFetch.fetch(store, prefix, source.object());
        }
        BackupManifest m = fetched.manifest();
        String machine = machineOf(config);
        if (!m.protocol().equals(config.protocol().wireName())) {
            throw new IOException("the backup " + m.object() + " is of a " + m.protocol() + " cluster; this member runs "
                    + config.protocol().wireName() + ": restore it into a cluster of the same protocol");
        }
        if (!m.machine().equals(machine)) {
            throw new IOException("the backup " + m.object() + " holds the '" + m.machine() + "' state machine; this member "
                    + "runs '" + machine + "' (kv: the HTTP key-value API; etcd: the etcd v3 API on; zookeeper: a ZAB client "
                    + "port): configure the new cluster as the source was");
        }
        byte[] data = machine.equals(KvMachine.KIND) ? ClusterIdentityKeeper.forgetIdentity(fetched.data()) : fetched.data();
        Snapshot snapshot = new Snapshot(m.index(), m.term(), EngineFactory.membership(config), data);
        // The term (ZAB: epoch) carries on from the backup's, so no entry is ever written under an older term than one
        // below it; commit = the snapshot's index: everything in it is committed.
        HardState hs = new HardState(m.term(), 0, m.index(), m.term());
        try (FileNodeStorage storage = FileNodeStorage.open(config.dataDir(), config.clusterId(), config.nodeId(), n -> { })) {
            storage.persist(new Ready(hs, Ready.NO_TRUNCATION, List.of(), snapshot, List.of(), List.of(), List.of()));
        } catch (CorruptStorageException e) {
            throw new IOException(e.getMessage(), e);
        }
        return new Outcome(true, "restored " + m.object() + " (cluster " + m.namespace() + "/" + m.cluster() + ", "
                + m.protocol() + " " + m.machine() + ", index " + m.index() + ", term " + m.term() + ", " + m.size()
                + " bytes, sha256 " + m.sha256() + ") into " + config.dataDir());
    }

    /** Which state machine this member's log feeds, as {@link NodeProcess#start} chooses it. */
    static String machineOf(NodeConfig config) {
        if (config.zookeeper() != null) {
            return ZooKeeperMachine.KIND;
        }
        return config.etcdListen() != null ? EtcdMachine.KIND : KvMachine.KIND;
    }
}
