package dev.ballot.node.server;

import dev.ballot.engine.PersistedState;
import dev.ballot.engine.MembershipChange;
import dev.ballot.engine.Membership;
import dev.ballot.engine.kv.KvCommand;
import dev.ballot.engine.kv.KvResult;
import dev.ballot.engine.kv.KvStateMachine;
import dev.ballot.node.storage.NodeStorage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class NodeRuntimeTest {
    private final List<NodeRuntime<KvMachine, KvResult>> started = new ArrayList<>();

    @AfterEach
    void stop() {
        started.forEach(NodeRuntime::close);
    }

    private NodeRuntime<KvMachine, KvResult> start(FakeConsensusNode node, NodeStorage storage, long snapshotEvery) {
        NodeRuntime<KvMachine, KvResult> rt = new NodeRuntime<>(new KvMachine(), node, PersistedState.EMPTY, node.membership(),
                storage, m -> true,
                new NodeRuntime.Options(Duration.ofMillis(10), snapshotEvery)).start();
        started.add(rt);
        return rt;
    }

    private static CompletableFuture<KvResult> propose(NodeRuntime<KvMachine, KvResult> rt, KvCommand command) {
        return rt.propose(command.requestId(), command.encode());
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aWriteCompletesWithItsRevisionOnceAppliedAndIsReadBackLinearizably() throws Exception {
        NodeRuntime<KvMachine, KvResult> rt = start(FakeConsensusNode.singleLeader(), new RecordingStorage(), 0);
        KvResult r = propose(rt, KvCommand.put(rt.newRequestId(), "a", bytes("1"))).get(5, TimeUnit.SECONDS);
        assertThat(r.succeeded()).isTrue();
        assertThat(r.revision()).isEqualTo(1);
        Optional<KvStateMachine.Versioned> read = rt.readLinearizable(kv -> kv.get("a")).get(5, TimeUnit.SECONDS);
        assertThat(read).hasValueSatisfying(v -> assertThat(v.value()).isEqualTo(bytes("1")));
        assertThat(rt.readLocal(kv -> kv.get("absent")).get(5, TimeUnit.SECONDS)).isEmpty();
    }

    @Test
    void whatWaitsOnAnAnswerRunsOffTheDriverThread() throws Exception {
        RecordingStorage slowDisk = new RecordingStorage();
        slowDisk.persistDelayMillis = 50; // the callbacks below are attached long before the answers exist
        NodeRuntime<KvMachine, KvResult> rt = start(FakeConsensusNode.singleLeader(), slowDisk, 0);
        CompletableFuture<String> writeAnsweredOn = propose(rt, KvCommand.put(rt.newRequestId(), "a", bytes("1")))
                .thenApply(r -> Thread.currentThread().getName());
        CompletableFuture<String> readAnsweredOn = rt.readLinearizable(kv -> kv.get("a"))
                .thenApply(v -> Thread.currentThread().getName());
        assertThat(writeAnsweredOn.get(5, TimeUnit.SECONDS)).startsWith("ballot-answer-");
        assertThat(readAnsweredOn.get(5, TimeUnit.SECONDS)).startsWith("ballot-answer-");
    }

    @Test
    void concurrentWritesShareOneSyncPerBatch() throws Exception {
        RecordingStorage durability = new RecordingStorage();
        durability.persistDelayMillis = 20;
        NodeRuntime<KvMachine, KvResult> rt = start(FakeConsensusNode.singleLeader(), durability, 0);
        List<CompletableFuture<KvResult>> writes = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            writes.add(propose(rt, KvCommand.put(rt.newRequestId(), "k" + i, bytes("v"))));
        }
        CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
        assertThat(durability.entries).hasSize(200);
        assertThat(durability.persists.get()).as("group commit: syncs for 200 writes").isLessThan(50);
    }

    @Test
    void aLostPeerConnectionReachesTheEngineOnTheDriverThread() {
        FakeConsensusNode follower = new FakeConsensusNode(2, FakeConsensusNode.singleLeader().membership(), 7);
        NodeRuntime<KvMachine, KvResult> rt = start(follower, new RecordingStorage(), 0);
        rt.peerUnreachable(7);
        await().atMost(Duration.ofSeconds(5)).until(() -> !follower.unreachable.isEmpty());
        assertThat(follower.unreachable).containsExactly("7@ballot-driver-2");
    }

    @Test
    void aFollowerRefusesWritesAndReadsNamingTheLeader() {
        FakeConsensusNode follower = new FakeConsensusNode(2, FakeConsensusNode.singleLeader().membership(), 7);
        NodeRuntime<KvMachine, KvResult> rt = start(follower, new RecordingStorage(), 0);
        assertThatThrownBy(() -> propose(rt, KvCommand.put(rt.newRequestId(), "a", bytes("1"))).get(5, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).cause()
                .isInstanceOfSatisfying(RequestFailure.class, f -> {
                    assertThat(f.reason()).isEqualTo(RequestFailure.Reason.NOT_LEADER);
                    assertThat(f.leaderHint()).isEqualTo(7);
                });
        assertThatThrownBy(() -> rt.readLinearizable(kv -> kv.get("a")).get(5, TimeUnit.SECONDS))
                .cause().isInstanceOf(RequestFailure.class);
    }

    @Test
    void takesASnapshotAndCompactsEveryNAppliedEntries() throws Exception {
        FakeConsensusNode node = FakeConsensusNode.singleLeader();
        RecordingStorage durability = new RecordingStorage();
        NodeRuntime<KvMachine, KvResult> rt = start(node, durability, 10);
        for (int i = 0; i < 25; i++) {
            propose(rt, KvCommand.put(rt.newRequestId(), "k" + i, bytes("v" + i))).get(5, TimeUnit.SECONDS);
        }
        assertThat(durability.snapshots).extracting(s -> s.index()).containsExactly(10L, 20L);
        assertThat(node.compactedAt).isEqualTo(20);
        KvStateMachine restored = new KvStateMachine();
        restored.restore(IdentityEnvelope.unwrap(durability.snapshots.get(1).data()).machine());
        assertThat(restored.size()).isEqualTo(20);
    }

    @Test
    void theClusterIdentityIsAppliedBesideTheMachineAndSurvivesItsSnapshots() throws Exception {
        FakeConsensusNode node = FakeConsensusNode.singleLeader();
        RecordingStorage durability = new RecordingStorage();
        NodeRuntime<KvMachine, KvResult> rt = start(node, durability, 3);
        java.util.UUID uuid = java.util.UUID.randomUUID();
        long set = rt.newRequestId();
        assertThat(rt.propose(set, ClusterIdentity.setUuid(set, uuid)).get(5, TimeUnit.SECONDS)).isNull();
        long mark = rt.newRequestId();
        rt.propose(mark, ClusterIdentity.markJoined(mark, uuid, node.id())).get(5, TimeUnit.SECONDS);
        propose(rt, KvCommand.put(rt.newRequestId(), "k", bytes("v"))).get(5, TimeUnit.SECONDS);

        assertThat(rt.identity()).isEqualTo(new ClusterIdentity(uuid, 1, java.util.Set.of(node.id())));
        assertThat(rt.readLocal(kv -> kv.size()).get(5, TimeUnit.SECONDS)).as("the machine saw no identity key").isEqualTo(1);
        IdentityEnvelope.Parts stored = IdentityEnvelope.unwrap(durability.snapshots.get(0).data());
        assertThat(stored.identity()).isEqualTo(rt.identity());

        FakeConsensusNode restarted = FakeConsensusNode.singleLeader();
        NodeRuntime<KvMachine, KvResult> again = new NodeRuntime<>(new KvMachine(), restarted,
                new PersistedState(dev.ballot.engine.HardState.EMPTY, durability.snapshots.get(0), List.of()),
                restarted.membership(), new RecordingStorage(), m -> true, NodeRuntime.Options.defaults()).start();
        started.add(again);
        assertThat(again.identity()).isEqualTo(rt.identity());
        assertThat(again.readLocal(kv -> kv.get("k")).get(5, TimeUnit.SECONDS)).isPresent();
        assertThat(rt.captureSnapshot(false).get(5, TimeUnit.SECONDS).data())
                .as("a backup's image is the machine's bytes alone").isEqualTo(stored.machine());
    }

    @Test
    void restoresTheStateMachineFromTheSnapshotItRestartsWith() throws Exception {
        KvStateMachine before = new KvStateMachine();
        before.apply(new dev.ballot.engine.LogEntry(1, 1, dev.ballot.engine.EntryType.COMMAND,
                KvCommand.put(1, "kept", bytes("yes")).encode()));
        dev.ballot.engine.Snapshot snap = new dev.ballot.engine.Snapshot(1, 1,
                FakeConsensusNode.singleLeader().membership(), before.snapshot());
        FakeConsensusNode restarted = FakeConsensusNode.singleLeader();
        NodeRuntime<KvMachine, KvResult> rt = new NodeRuntime<>(new KvMachine(), restarted,
                new PersistedState(dev.ballot.engine.HardState.EMPTY, snap, List.of()), restarted.membership(), new RecordingStorage(),
                m -> true, NodeRuntime.Options.defaults()).start();
        started.add(rt);
        assertThat(rt.readLocal(kv -> kv.get("kept")).get(5, TimeUnit.SECONDS)).isPresent();
    }

    @Test
    void aSnapshotRecordsTheConfigurationInForceAtItsIndexNotOneStillUncommitted() throws Exception {
        FakeConsensusNode node = FakeConsensusNode.singleLeader();
        Membership bootstrap = node.membership();
        RecordingStorage durability = new RecordingStorage();
        NodeRuntime<KvMachine, KvResult> rt = start(node, durability, 2);
        propose(rt, KvCommand.put(rt.newRequestId(), "k0", bytes("v0"))).get(5, TimeUnit.SECONDS);
        node.commitImmediately = false;
        CompletableFuture<KvResult> second = propose(rt, KvCommand.put(rt.newRequestId(), "k1", bytes("v1")));
        CompletableFuture<Membership> change = rt.changeMembership(
                new MembershipChange(MembershipChange.Type.ADD_LEARNER, 7, "127.0.0.7:2380"));
        await().atMost(Duration.ofSeconds(5)).until(() -> durability.entries.size() == 3);
        node.onDriver(() -> node.commitUpTo(2)).get(5, TimeUnit.SECONDS);
        second.get(5, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(5)).until(() -> !durability.snapshots.isEmpty());

        assertThat(node.membership().contains(7)).as("the engine already acts on the appended change").isTrue();
        assertThat(change).isNotDone();
        assertThat(durability.snapshots.get(0).index()).isEqualTo(2);
        assertThat(durability.snapshots.get(0).membership()).isEqualTo(bootstrap);

        node.onDriver(() -> node.commitUpTo(3)).get(5, TimeUnit.SECONDS);
        change.get(5, TimeUnit.SECONDS);
        propose(rt, KvCommand.put(rt.newRequestId(), "k2", bytes("v2")));
        node.onDriver(() -> node.commitUpTo(4)).get(5, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(5)).until(() -> durability.snapshots.size() == 2);
        assertThat(durability.snapshots.get(1).membership().contains(7)).isTrue();
    }

    @Test
    void losingLeadershipFailsWaitingWritesAsOutcomeUnknown() throws Exception {
        FakeConsensusNode node = FakeConsensusNode.singleLeader();
        RecordingStorage durability = new RecordingStorage();
        NodeRuntime<KvMachine, KvResult> rt = start(node, durability, 0);
        node.commitImmediately = false;
        CompletableFuture<KvResult> write = propose(rt, KvCommand.put(rt.newRequestId(), "x", bytes("1")));
        await().atMost(Duration.ofSeconds(5)).until(() -> durability.entries.size() == 1);
        assertThat(write).isNotDone();
        node.onDriver(() -> node.becomeFollowerOf(9, 2)).get(5, TimeUnit.SECONDS);
        assertThatThrownBy(() -> write.get(5, TimeUnit.SECONDS)).cause()
                .isInstanceOfSatisfying(RequestFailure.class, f -> {
                    assertThat(f.reason()).isEqualTo(RequestFailure.Reason.OUTCOME_UNKNOWN);
                    assertThat(f.leaderHint()).isEqualTo(9);
                });
        await().atMost(Duration.ofSeconds(5)).until(() -> rt.status().leaderId() == 9);
        assertThat(rt.status().node().term()).isEqualTo(2);
    }

    @Test
    void handOffMovesLeadershipAndReturnsOnceANewLeaderIsSeen() throws Exception {
        FakeConsensusNode node = new FakeConsensusNode(1, dev.ballot.engine.Membership.voters(1, 2, 3), 1);
        NodeRuntime<KvMachine, KvResult> rt = start(node, new RecordingStorage(), 0);
        await().atMost(Duration.ofSeconds(5)).until(() -> rt.status().isLeader());
        assertThat(rt.handOffLeadership(Duration.ofSeconds(2))).isTrue();
        assertThat(rt.status().leaderId()).isEqualTo(2);
    }

    @Test
    void ticksTheEngineFromItsOwnClock() {
        FakeConsensusNode node = FakeConsensusNode.singleLeader();
        start(node, new RecordingStorage(), 0);
        await().atMost(Duration.ofSeconds(5)).until(() -> node.ticks.get() >= 10);
    }

    @Test
    void aStorageFailureStopsTheDriverAndIsReported() {
        NodeStorage failing = new NodeStorage() {
            @Override
            public PersistedState load() {
                return PersistedState.EMPTY;
            }

            @Override
            public void persist(dev.ballot.engine.Ready ready) throws java.io.IOException {
                throw new java.io.IOException("disk full");
            }

            @Override
            public void saveSnapshot(dev.ballot.engine.Snapshot snapshot) {
            }

            @Override
            public void close() {
            }
        };
        NodeRuntime<KvMachine, KvResult> rt = start(FakeConsensusNode.singleLeader(), failing, 0);
        CompletableFuture<KvResult> write = propose(rt, KvCommand.put(rt.newRequestId(), "a", bytes("1")));
        assertThatThrownBy(() -> write.get(5, TimeUnit.SECONDS)).cause().isInstanceOf(RequestFailure.class);
        await().atMost(Duration.ofSeconds(5)).until(() -> !rt.isAlive());
        assertThat(rt.status().failure()).contains("disk full");
    }
}
