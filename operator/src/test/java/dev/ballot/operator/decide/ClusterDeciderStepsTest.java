package dev.ballot.operator.decide;

import static dev.ballot.operator.decide.ClusterDeciderTest.spec;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ballot.operator.api.ConsensusProtocol;
import dev.ballot.operator.api.ElectionClusterSpec;
import dev.ballot.operator.api.ElectionClusterStatus;
import dev.ballot.operator.api.StorageSpec;
import dev.ballot.operator.desired.EffectiveSpec;
import dev.ballot.operator.desired.MemberLayout;
import dev.ballot.operator.members.MemberObservation;
import dev.ballot.operator.members.ReportedStatus;
import dev.ballot.operator.members.ReportedStatus.ReportedMember;
import dev.ballot.operator.rollout.LeaderProgress;
import dev.ballot.operator.status.EventToPublish;
import dev.ballot.operator.status.PodView;
import dev.ballot.operator.status.StatusConditions;
import dev.ballot.operator.status.WorkloadView;
import dev.ballot.operator.step.Step;
import dev.ballot.operator.storage.ClaimView;
import dev.ballot.operator.storage.Expansion;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Quantity;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * What the reconciler used to decide itself, now in the pure decision: immutable fields, the layout the children are
 * built for, the rollout step against the leader's fresh progress, volume blocks published once, the re-check
 * interval and the status after a failed reconcile.
 */
class ClusterDeciderStepsTest {
    private static final Instant NOW = Instant.parse("2026-11-27T12:00:00Z");
    private static final List<String> RAFT_ARGS = List.of("run", "--config", "/etc/ballot/ballot.yaml");
    private static final WorkloadView ROLLED_OUT = new WorkloadView(true, 3, 3, "rev-1", true);

    @Test
    void immutableFieldsAreCheckedAgainstTheRunningStatefulSet() {
        ElectionClusterSpec s = spec(3);
        Observed o = snapshot(s, sts(3, List.of("run", "--config", "/etc/ballot/zoo.cfg"), "2Gi", "fast"),
                healthyPods("rev-1"), members(3), null, cls -> Expansion.ALLOWED, leader -> Optional.empty(), null);
        Intent intent = ClusterDecider.intend(o);
        assertThat(intent.valid()).isFalse();
        assertThat(intent.children()).isNull();
        assertThat(intent.problems()).containsExactly(
                "spec.protocol is immutable (the members run [run, --config, /etc/ballot/zoo.cfg]): restore the old "
                        + "protocol, or create a new ElectionCluster",
                "spec.storage.size 1Gi is smaller than the volumes' 2Gi: volumes never shrink; set it back to at "
                        + "least 2Gi",
                "spec.storage.storageClassName is immutable (the volumes use fast): restore it");
        ClusterDecision d = ClusterDecider.decide(o, intent, ROLLED_OUT);
        assertThat(d.status().phase).isEqualTo("Stalled");
        assertThat(d.scale()).isNull();
        assertThat(d.volumes()).isNull();
        assertThat(d.rollout()).isEqualTo(Step.NONE);
    }

    @Test
    void theChildrenAreBuiltOnceForTheLayoutTheScalePlannerChose() {
        ElectionClusterSpec s = spec(5);
        Observed o = snapshot(s, sts(3, RAFT_ARGS, "1Gi", null), healthyPods("rev-1"), members(3), null,
                cls -> Expansion.ALLOWED, leader -> Optional.empty(), null);
        Intent intent = ClusterDecider.intend(o);
        assertThat(intent.children().layout()).isEqualTo(new MemberLayout(4, 3));
        assertThat(intent.scale().step()).isEqualTo(Step.act(Step.Kind.RESIZE, "ec-3", "create pod ec-3"));
        ClusterDecision d = ClusterDecider.decide(o, intent, ROLLED_OUT);
        assertThat(d.scale()).isSameAs(intent.scale());
        assertThat(d.leader()).isEqualTo("ec-0");
        assertThat(d.recheck()).isEqualTo(ClusterDecider.SCALING_RECHECK);
        assertThat(StatusConditions.find(d.status().conditions, StatusConditions.RECONCILING).getReason())
                .isEqualTo("Scaling");
    }

    @Test
    void aRestartThatCostsAVoterWaitsForTheLeadersFreshProgress() {
        List<String> asked = new ArrayList<>();
        Function<String, Optional<LeaderProgress>> unreadable = leader -> {
            asked.add(leader);
            return Optional.empty();
        };
        Observed o = snapshot(spec(3), sts(3, RAFT_ARGS, "1Gi", null), healthyPods("rev-0"), members(3), null,
                cls -> Expansion.ALLOWED, unreadable, null);
        ClusterDecision d = ClusterDecider.decide(o, ClusterDecider.intend(o), ROLLED_OUT);
        assertThat(asked).containsExactly("ec-0");
        assertThat(d.rollout()).isEqualTo(Step.NONE);
        assertThat(d.status().rollout.step).isEqualTo("restart ec-2");
        assertThat(d.status().rollout.blockedBy).startsWith("could not read the leader's progress");
        assertThat(d.recheck()).isEqualTo(ClusterDecider.RECHECK_HELD_BACK);

        Observed caughtUp = snapshot(spec(3), sts(3, RAFT_ARGS, "1Gi", null), healthyPods("rev-0"), members(3), null,
                cls -> Expansion.ALLOWED,
                leader -> Optional.of(new LeaderProgress("ec-0", 10, Map.of("ec-1", 10L, "ec-2", 10L))), null);
        ClusterDecision go = ClusterDecider.decide(caughtUp, ClusterDecider.intend(caughtUp), ROLLED_OUT);
        assertThat(go.rollout()).isEqualTo(Step.restart("ec-2"));
        assertThat(go.rolloutRevision()).isEqualTo("rev-0");
        assertThat(go.recheck()).isEqualTo(ClusterDecider.ROLLOUT_RECHECK);
    }

    @Test
    void aBlockedVolumeGrowthIsStalledAndPublishedOncePerProcess() {
        ElectionClusterSpec s = spec(3);
        s.storage = new StorageSpec();
        s.storage.size = "2Gi";
        List<ClaimView> claims = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            claims.add(new ClaimView("data-ec-" + i, new Quantity("1Gi"), new Quantity("1Gi"), "fixed", true,
                    Set.of()));
        }
        List<String> classesRead = new ArrayList<>();
        Function<String, Expansion> fixed = cls -> {
            classesRead.add(cls);
            return Expansion.NOT_ALLOWED;
        };
        Observed o = snapshot(s, sts(3, RAFT_ARGS, "1Gi", null), healthyPods("rev-1"), members(3), claims, fixed,
                leader -> Optional.empty(), null);
        ClusterDecision d = ClusterDecider.decide(o, ClusterDecider.intend(o), ROLLED_OUT);
        assertThat(d.volumes().blocked()).isTrue();
        ClusterDecision.Final first = ClusterDecider.settle(o, d, List.of(), d.volumes());
        Condition stalled = StatusConditions.find(first.status().conditions, StatusConditions.STALLED);
        assertThat(stalled.getReason()).isEqualTo("VolumeResizeBlocked");
        assertThat(first.events()).extracting(EventToPublish::reason).contains("VolumeResizeBlocked");
        assertThat(first.volumeBlockPublished()).isEqualTo(stalled.getMessage());

        // The next reconcile starts from a status older than the one written: the block is not published again.
        Observed stale = new Observed(o.name(), o.namespace(), o.generation(), o.spec(), o.effective(),
                o.statefulSet(), o.pods(), o.members(), o.membersWatchedSince(), o.claims(), o.storageClass(), o.leaderProgress(),
                o.previous(), first.volumeBlockPublished(), o.settings(), o.now());
        ClusterDecision again = ClusterDecider.decide(stale, ClusterDecider.intend(stale), ROLLED_OUT);
        ClusterDecision.Final second = ClusterDecider.settle(stale, again, List.of(), again.volumes());
        assertThat(second.events()).extracting(EventToPublish::reason).doesNotContain("VolumeResizeBlocked");
        assertThat(second.volumeBlockPublished()).isEqualTo(first.volumeBlockPublished());
        assertThat(classesRead).as("only the class of claims that must grow is read").containsOnly("fixed");
    }

    @Test
    void aConvergedClusterIsLookedAtAgainAfterTheRefreshInterval() {
        Observed o = snapshot(spec(3), sts(3, RAFT_ARGS, "1Gi", null), healthyPods("rev-1"), members(3), null,
                cls -> Expansion.ALLOWED, leader -> Optional.empty(), "an old block");
        ClusterDecision d = ClusterDecider.decide(o, ClusterDecider.intend(o), ROLLED_OUT);
        assertThat(d.status().phase).isEqualTo("Running");
        assertThat(d.recheck()).isEqualTo(Duration.ofSeconds(30));
        ClusterDecision.Final done = ClusterDecider.settle(o, d, List.of(), null);
        assertThat(done.statusChanged()).isTrue();
        assertThat(done.volumeBlockPublished()).as("converged volumes forget a block").isNull();

        Observed unchanged = snapshot(spec(3), sts(3, RAFT_ARGS, "1Gi", null), healthyPods("rev-1"), members(3),
                null, cls -> Expansion.ALLOWED, leader -> Optional.empty(), null, done.status());
        ClusterDecision.Final again = ClusterDecider.settle(unchanged,
                ClusterDecider.decide(unchanged, ClusterDecider.intend(unchanged), ROLLED_OUT), List.of(), null);
        assertThat(again.statusChanged()).isFalse();
        assertThat(again.events()).isEmpty();
    }

    @Test
    void aMemberCatchingUpIsLookedAtAgainSoonSoItsLagInTheStatusIsFresh() {
        Map<String, Duration> recheckByMatch = new HashMap<>();
        for (long match : new long[] {10L, 10L - 100, 10L - 101, 10L - 5000}) {
            Observed o = snapshot(spec(3), sts(3, RAFT_ARGS, "1Gi", null), healthyPods("rev-1"), members(3, match),
                    null, cls -> Expansion.ALLOWED, leader -> Optional.empty(), null);
            ClusterDecision d = ClusterDecider.decide(o, ClusterDecider.intend(o), ROLLED_OUT);
            recheckByMatch.put("lag " + (10L - match), d.recheck());
        }
        assertThat(recheckByMatch).containsExactlyInAnyOrderEntriesOf(Map.of(
                "lag 0", Duration.ofSeconds(30),
                "lag 100", Duration.ofSeconds(30),
                "lag 101", ClusterDecider.CATCH_UP_RECHECK,
                "lag 5000", ClusterDecider.CATCH_UP_RECHECK));
    }

    @Test
    void aFailedReconcileIsRetryingWithTheCauseAndKeepsTheOtherConditions() {
        ElectionClusterStatus previous = new ElectionClusterStatus();
        previous.conditions = List.of(StatusConditions.condition(StatusConditions.READY, true, 2, "QuorumHealthy",
                "3/3 voters healthy"));
        ElectionClusterStatus failed = ClusterDecider.failed(previous, 3, "IOException: refused", NOW);
        assertThat(failed.conditions).extracting(Condition::getType)
                .containsExactly(StatusConditions.READY, StatusConditions.RECONCILING);
        Condition reconciling = StatusConditions.find(failed.conditions, StatusConditions.RECONCILING);
        assertThat(reconciling.getStatus()).isEqualTo("True");
        assertThat(reconciling.getReason()).isEqualTo("Retrying");
        assertThat(reconciling.getMessage()).isEqualTo("reconcile failed and will be retried: IOException: refused");
        assertThat(previous.conditions).as("the previous status is not changed").hasSize(1);
    }

    @Test
    void aMemberThatLostItsStorageIsRemovedFirstAndShownInTheStatus() {
        Map<String, MemberObservation> members = new HashMap<>(members(3));
        members.put("ec-1", MemberObservation.reachable("ec-1", new ReportedStatus("ec", "ec-1", "raft",
                "needsReplacement", 0L, null, null, null, 0L, 0L, 0L, null, "0.1.0", List.of(), null, null, true)));
        Map<String, PodView> pods = healthyPods("rev-1");
        pods.put("ec-1", new PodView("ec-1", "rev-1", false, false));
        Observed o = snapshot(spec(3), existing(sts(3, RAFT_ARGS, "1Gi", null)), pods, members, null,
                cls -> Expansion.ALLOWED, leader -> Optional.empty(), null);

        Intent intent = ClusterDecider.intend(o);
        assertThat(intent.replacement().target()).isEqualTo("ec-1");
        assertThat(intent.children().bootstrapped()).isTrue();
        assertThat(intent.children().configMap().getData()).containsEntry("initial-cluster-state", "existing");
        assertThat(intent.children().nodeConfig().content()).doesNotContain("rejoining_learners");
        ClusterDecision d = ClusterDecider.decide(o, intent, ROLLED_OUT);
        assertThat(d.replacement().step().kind()).isEqualTo(Step.Kind.REMOVE_MEMBER);
        assertThat(d.replacement().step().target()).isEqualTo("ec-1");
        assertThat(d.scale()).as("scaling waits for the replacement").isNull();
        assertThat(d.status().members).filteredOn(m -> "ec-1".equals(m.name)).singleElement()
                .satisfies(m -> assertThat(m.needsReplacement).isTrue());
        assertThat(StatusConditions.reasonOf(d.status().conditions, StatusConditions.RECONCILING))
                .isEqualTo("ReplacingMember");
        assertThat(d.events()).filteredOn(EventToPublish::warning).extracting(EventToPublish::reason)
                .contains("MemberNeedsReplacement");
        assertThat(d.recheck()).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void aMemberShownAsNeedingReplacementThatMissesAPollIsStillReplaced() {
        Map<String, MemberObservation> members = new HashMap<>(members(3));
        members.put("ec-1", MemberObservation.unreachable("ec-1", "timed out"));
        Map<String, PodView> pods = healthyPods("rev-1");
        pods.put("ec-1", new PodView("ec-1", "rev-1", false, false));
        ElectionClusterStatus previous = new ElectionClusterStatus();
        dev.ballot.operator.api.MemberStatus lost = new dev.ballot.operator.api.MemberStatus();
        lost.name = "ec-1";
        lost.needsReplacement = true;
        previous.members.add(lost);
        Observed o = snapshot(spec(3), existing(sts(3, RAFT_ARGS, "1Gi", null)), pods, members, null,
                cls -> Expansion.ALLOWED, leader -> Optional.empty(), null, previous);

        Intent intent = ClusterDecider.intend(o);
        assertThat(intent.replacement().target()).isEqualTo("ec-1");
        assertThat(intent.replacement().step().kind()).isEqualTo(Step.Kind.REMOVE_MEMBER);
        ClusterDecision d = ClusterDecider.decide(o, intent, ROLLED_OUT);
        assertThat(d.status().members).filteredOn(m -> "ec-1".equals(m.name)).singleElement()
                .satisfies(m -> assertThat(m.needsReplacement).isTrue());
        assertThat(d.events()).extracting(EventToPublish::reason).doesNotContain("MemberReplaced");
    }

    @Test
    void aRemovedMemberIsListedAsARejoiningLearnerAndAddedAgain() {
        Map<String, MemberObservation> members = new HashMap<>();
        List<ReportedMember> config = List.of(new ReportedMember("ec-0", "ec-0:2380", "voter", 10L, 0L, true),
                new ReportedMember("ec-2", "ec-2:2380", "voter", 10L, 0L, false));
        for (String name : List.of("ec-0", "ec-2")) {
            members.put(name, MemberObservation.reachable(name, new ReportedStatus("ec", name, "raft",
                    name.equals("ec-0") ? "leader" : "follower", 5L, "ec-0", null, null, 10L, 10L, 10L, 0L, "0.1.0",
                    config)));
        }
        Map<String, PodView> pods = healthyPods("rev-1");
        pods.put("ec-1", new PodView("ec-1", "rev-1", false, false));
        Observed o = snapshot(spec(3), existing(sts(3, RAFT_ARGS, "1Gi", null)), pods, members, null,
                cls -> Expansion.ALLOWED, leader -> Optional.empty(), null);

        Intent intent = ClusterDecider.intend(o);
        assertThat(intent.scale().layout()).isEqualTo(new MemberLayout(3, 3, Set.of(1)));
        assertThat(intent.children().nodeConfig().content()).contains("rejoining_learners: [\"ec-1\"]");
        ClusterDecision d = ClusterDecider.decide(o, intent, ROLLED_OUT);
        assertThat(d.replacement().step().kind()).isEqualTo(Step.Kind.ADD_MEMBER);
        assertThat(d.replacement().layout().isVoter(1)).isFalse();
    }

    private static StatefulSetView existing(StatefulSetView v) {
        return new StatefulSetView(v.replicas(), v.votersAnnotation(), v.nodeArgs(), v.claimTemplate(), v.deleting(),
                v.workload(), "existing");
    }

    private static StatefulSetView sts(int replicas, List<String> args, String size, String storageClass) {
        return new StatefulSetView(replicas, Integer.toString(replicas), args,
                new StatefulSetView.ClaimTemplate("data", true, new Quantity(size), storageClass), false, ROLLED_OUT);
    }

    private static Map<String, PodView> healthyPods(String revision) {
        Map<String, PodView> pods = new HashMap<>();
        for (int i = 0; i < 3; i++) {
            pods.put("ec-" + i, new PodView("ec-" + i, revision, true, false));
        }
        return pods;
    }

    /** {@code n} voters, ec-0 leading, all reporting the same configuration. */
    private static Map<String, MemberObservation> members(int n) {
        return members(n, 10L);
    }

    /** {@code n} members of which ec-0 leads at index 10; the last one has replicated up to {@code lastsMatch}. */
    private static Map<String, MemberObservation> members(int n, long lastsMatch) {
        List<ReportedMember> config = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            config.add(new ReportedMember("ec-" + i, "ec-" + i + ":2380", "voter", i == n - 1 ? lastsMatch : 10L, 0L,
                    i == 0));
        }
        Map<String, MemberObservation> members = new HashMap<>();
        for (int i = 0; i < n; i++) {
            String name = "ec-" + i;
            members.put(name, MemberObservation.reachable(name, new ReportedStatus("ec", name, "raft",
                    i == 0 ? "leader" : "follower", 5L, "ec-0", null, null, 10L, 10L, 10L, 0L, "0.1.0", config)));
        }
        return members;
    }

    private static Observed snapshot(ElectionClusterSpec spec, StatefulSetView sts, Map<String, PodView> pods,
                                     Map<String, MemberObservation> members, List<ClaimView> claims,
                                     Function<String, Expansion> storageClass,
                                     Function<String, Optional<LeaderProgress>> progress, String published) {
        return snapshot(spec, sts, pods, members, claims, storageClass, progress, published, null);
    }

    private static Observed snapshot(ElectionClusterSpec spec, StatefulSetView sts, Map<String, PodView> pods,
                                     Map<String, MemberObservation> members, List<ClaimView> claims,
                                     Function<String, Expansion> storageClass,
                                     Function<String, Optional<LeaderProgress>> progress, String published,
                                     ElectionClusterStatus previous) {
        spec.protocol = spec.protocol == null ? ConsensusProtocol.Raft : spec.protocol;
        return new Observed("ec", "ns", 2, spec, EffectiveSpec.of(spec), sts, pods, members, NOW.minusSeconds(600),
                claims == null ? List.of() : claims, storageClass, progress, previous, published,
                new Observed.Settings(true, Duration.ofSeconds(30)), NOW);
    }
}
