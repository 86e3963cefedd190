package dev.ballot.engine.zab;

import dev.ballot.engine.HardState;
import dev.ballot.engine.LogEntry;
import dev.ballot.engine.Member;
import dev.ballot.engine.MemberKind;
import dev.ballot.engine.Membership;
import dev.ballot.engine.MembershipChange;
import dev.ballot.engine.MembershipCodec;
import dev.ballot.engine.EntryType;
import dev.ballot.engine.PersistedState;
import dev.ballot.engine.Proposal;
import dev.ballot.engine.Snapshot;
import dev.ballot.engine.zab.ZabMessage.Notification;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Configurations in election notifications (ZooKeeper's FastLeaderElection since 3.5), for the case that needs them:
 * after a quorum-loss recovery the member kept leads a configuration of itself alone, and the others come back empty
 * with a static configuration that still lists the lost voters. Without the leader's configuration in its
 * notifications such a member counts backers among voters that never answer and looks forever.
 */
class ZabConfigGossipTest {
    private static final int KEYS = 12;

    @Test
    void membersReAddedWithAStaleConfigurationLearnTheKeptMembersAndJoin() {
        for (long seed = 1; seed <= 20; seed++) {
            String replay = "replay: ZabConfigGossipTest seed " + seed + " (5% of messages dropped, seeded)";
            SplittableRandom random = new SplittableRandom(seed);
            ZabTestCluster c = recovered(seed, random);
            long kept = 3;
            for (long id : List.of(1L, 2L)) {
                rejoinEmpty(c, kept, id, replay);
            }
            Proposal after = c.node(kept).propose(ZabTestCluster.put(99, "after", "yes"));
            assertThat(after.accepted()).as(replay).isTrue();
            assertThat(c.runUntil(() -> c.nodes.values().stream().allMatch(n -> n.committedZxid() >= after.index()), 400))
                    .as("the write after the recovery commits on all three; %s", replay).isTrue();
            for (long id : List.of(1L, 2L, 3L)) {
                assertThat(c.node(id).membership().voterIds()).as(replay).containsExactly(1L, 2L, 3L);
                assertThat(c.value(id, "after")).as(replay).isEqualTo("yes");
                for (int k = 0; k < KEYS; k++) {
                    assertThat(c.value(id, "k" + k)).as("k%d on %d; %s", k, id, replay).isEqualTo("v" + k);
                }
            }
        }
    }

    @Test
    void withoutTheConfigurationInNotificationsTheReAddedMemberLooksForever() {
        ZabTestCluster c = recovered(1, new SplittableRandom(1));
        long kept = 3;
        c.rewrite = m -> m instanceof Notification n ? new Notification(n.from(), n.to(), n.leader(), n.zxid(),
                n.peerEpoch(), n.round(), n.state(), n.designated()) : m;
        startEmpty(c, 1);
        Proposal added = c.node(kept).proposeMembership(new MembershipChange(MembershipChange.Type.ADD_OBSERVER, 1, "h1"));
        assertThat(added.accepted()).isTrue();
        assertThat(c.runUntil(() -> c.node(1).serving(), 600)).isFalse();
        assertThat(c.node(1).state()).isEqualTo(ServerState.LOOKING);
        assertThat(c.node(1).membership().voterIds()).containsExactly(2L, 3L); // still the lost voters
    }

    @Test
    void aStaleOrIncoherentConfigurationIsNeverTaken() {
        // A LOOKING member whose own log put {1, 2, 3, 4} in force at zxid 2.1.
        Membership current = Membership.voters(1, 2, 3, 4);
        long version = Zxid.of(2, 1);
        ZabNode node = ZabNode.create(ZabOptions.builder(1, Membership.voters(1, 2, 3)).tickTime(5).initLimit(10)
                .syncLimit(4).build(), new PersistedState(new HardState(2, 0, 0, 2), null,
                List.of(new LogEntry(version, 2, EntryType.CONFIG, MembershipCodec.encode(current)))));
        assertThat(node.configVersion()).isEqualTo(version);
        List<Notification> refused = List.of(
                // the old configuration, from a leader that did not see the change (stale)
                new Notification(3, 1, 3, Zxid.of(1, 5), 1, 1, ServerState.LEADING, 0, Zxid.of(1, 1),
                        Membership.voters(1, 2, 3)),
                // newer, but from another looker
                new Notification(3, 1, 3, Zxid.of(3, 5), 3, 1, ServerState.LOOKING, 0, Zxid.of(3, 1),
                        Membership.voters(3)),
                // newer, but the LEADING sender is not a voter of what it sent
                new Notification(4, 1, 4, Zxid.of(3, 5), 3, 1, ServerState.LEADING, 0, Zxid.of(3, 1),
                        Membership.voters(1, 2)),
                // newer, from a server our configuration does not know
                new Notification(7, 1, 7, Zxid.of(3, 5), 3, 1, ServerState.LEADING, 0, Zxid.of(3, 1),
                        Membership.voters(7)));
        for (Notification m : refused) {
            node.step(m);
            assertThat(node.membership()).as("after %s", m).isEqualTo(current);
            assertThat(node.configVersion()).isEqualTo(version);
        }
        Membership newer = current.without(4);
        node.step(new Notification(3, 1, 3, Zxid.of(3, 5), 3, 1, ServerState.LEADING, 0, Zxid.of(3, 1), newer));
        assertThat(node.membership()).isEqualTo(newer);
        assertThat(node.configVersion()).isEqualTo(Zxid.of(3, 1));
        // and once taken, the older one it replaced is not taken back
        node.step(new Notification(2, 1, 3, Zxid.of(2, 5), 2, 1, ServerState.FOLLOWING, 0, version, current));
        assertThat(node.membership()).isEqualTo(newer);
    }

    /**
     * Three voters commit {@link #KEYS} writes; then voters 1 and 2 lose their volumes for good and 3 is rebuilt as
     * {@code force-new-cluster} does (node-image's ForceNewCluster): a snapshot of everything it applied, under a
     * configuration of itself alone. It restarts and leads alone.
     */
    private static ZabTestCluster recovered(long seed, SplittableRandom random) {
        ZabTestCluster c = new ZabTestCluster(Membership.voters(1, 2, 3));
        String replay = "replay: ZabConfigGossipTest seed " + seed;
        assertThat(c.awaitLeader(100)).as(replay).isEqualTo(3);
        for (int k = 0; k < KEYS; k++) {
            assertThat(c.node(3).propose(ZabTestCluster.put(k + 1, "k" + k, "v" + k)).accepted()).isTrue();
        }
        long last = c.node(3).lastZxid();
        assertThat(c.runUntil(() -> c.node(3).committedZxid() == last, 50)).as(replay).isTrue();
        for (long id : List.of(1L, 2L, 3L)) {
            c.crash(id);
        }
        ZabTestCluster.Store kept = c.stores.get(3L);
        HardState hs = kept.hardState;
        kept.snapshot = new Snapshot(last, Zxid.epoch(last), Membership.of(List.of(new Member(3, MemberKind.VOTER, "h3"))),
                c.machines.get(3L).snapshot());
        kept.entries.clear();
        kept.hardState = new HardState(hs.term(), 0, last, hs.acceptedEpoch());
        c.drop = m -> random.nextInt(100) < 5;
        c.start(3);
        assertThat(c.runUntil(() -> c.node(3).state() == ServerState.LEADING && c.node(3).serving(), 200))
                .as("the member kept leads alone; %s", replay).isTrue();
        assertThat(c.node(3).membership().ids()).containsExactly(3L);
        return c;
    }

    /** As the operator's replacement does: start it empty with the stale file, add it as an observer, promote it. */
    private static void rejoinEmpty(ZabTestCluster c, long leader, long id, String replay) {
        startEmpty(c, id);
        Proposal added = c.node(leader).proposeMembership(new MembershipChange(MembershipChange.Type.ADD_OBSERVER, id, "h" + id));
        assertThat(added.accepted()).as(replay).isTrue();
        assertThat(c.runUntil(() -> c.node(id).state() == ServerState.OBSERVING && c.node(id).serving()
                && c.node(id).committedZxid() >= added.index(), 600))
                .as("%d observes the kept leader: %s; %s", id, c.node(id), replay).isTrue();
        Proposal promoted = c.node(leader).proposeMembership(new MembershipChange(MembershipChange.Type.PROMOTE, id, ""));
        assertThat(promoted.accepted()).as(replay).isTrue();
        assertThat(c.runUntil(() -> c.node(id).state() == ServerState.FOLLOWING && c.node(id).serving()
                && c.node(leader).committedZxid() >= promoted.index(), 600))
                .as("%d follows as a voter: %s; %s", id, c.node(id), replay).isTrue();
    }

    /** Its static configuration is the old one, with itself as an observer (what the operator's zoo.cfg says). */
    private static void startEmpty(ZabTestCluster c, long id) {
        c.stores.put(id, new ZabTestCluster.Store());
        Membership stale = Membership.voters(1, 2, 3).with(new Member(id, MemberKind.OBSERVER, "h" + id));
        c.initialOf.put(id, stale);
        c.start(id); // starting already exchanges notifications with the leader
    }
}
