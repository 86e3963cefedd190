package dev.ballot.operator.replace;

import dev.ballot.operator.api.ConsensusProtocol;
import dev.ballot.operator.desired.QuorumMath;
import dev.ballot.operator.scale.ScaleObservation;
import dev.ballot.operator.scale.ScaleObservation.ConfiguredMember;
import dev.ballot.operator.scale.ScaleObservation.PodState;
import dev.ballot.operator.scale.ScalePlanner;
import static dev.ballot.operator.scale.ScalePlanner.healthy;
import static dev.ballot.operator.scale.ScalePlanner.ordinal;
import static dev.ballot.operator.scale.ScalePlanner.pod;
import dev.ballot.operator.step.Step;
import dev.ballot.operator.step.Step.Kind;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Decides the next single step that replaces a member which lost its storage (docs/node-api.md, Member identity):
 * such a member reports {@code needsReplacement} and never votes. One member at a time, lowest ordinal first:
 * remove it from the configuration → add it again as a Raft learner / ZAB observer (the node configuration now lists
 * it as one, so its pod starts empty as a learner) → restart its pod if it still runs the needs-replacement process →
 * wait until it follows the leader within {@link ScalePlanner#CAUGHT_UP_LAG} entries → promote it. Pure: every input
 * is observed, so an operator that restarts mid-way finds the member where it left it (absent from the
 * configuration, or a non-voter in a voter's slot) and goes on. Every membership change waits until the previous
 * one is committed and is gated on the quorum.
 */
public final class ReplacementPlanner {
    private ReplacementPlanner() {
    }

    /**
     * @param o                the cluster as the scale planner observes it
     * @param needsReplacement members that report {@code needsReplacement: true}
     */
    public static Replacement plan(ScaleObservation o, Set<String> needsReplacement) {
        if (o.statefulSetReplicas() == null) {
            return Replacement.NONE;
        }
        int recorded = o.recordedVoters() != null ? o.recordedVoters()
                : Math.max(0, o.statefulSetReplicas() - o.nonVoters());
        // Only voters' slots the spec still wants: a slot above spec.replicas is being scaled away.
        int slots = Math.min(Math.min(recorded, o.desiredVoters()), o.statefulSetReplicas());
        ScaleObservation.LeaderReport leader = o.leader();
        if (leader == null) {
            Optional<String> lost = needsReplacement.stream().filter(n -> ordinal(o, n) >= 0 && ordinal(o, n) < slots)
                    .min((a, b) -> Integer.compare(ordinal(o, a), ordinal(o, b)));
            return lost.map(name -> new Replacement(name, false, Step.waitFor("replace " + name,
                    "no leader is known; a replacement's membership changes wait for one"))).orElse(Replacement.NONE);
        }
        Map<String, ConfiguredMember> config = leader.members().stream()
                .collect(Collectors.toMap(ConfiguredMember::name, Function.identity(), (a, b) -> a));
        String target = null;
        for (int i = 0; i < slots && target == null; i++) {
            ConfiguredMember m = config.get(pod(o, i));
            if (m == null || !m.voter()) {
                target = pod(o, i); // a replacement under way: removed, or rejoined as a non-voter
            }
        }
        for (int i = 0; i < slots && target == null; i++) {
            if (needsReplacement.contains(pod(o, i))) {
                target = pod(o, i);
            }
        }
        if (target == null) {
            return Replacement.NONE;
        }
        ConfiguredMember member = config.get(target);
        return new Replacement(target, member == null || !member.voter(), next(o, leader, config, target, needsReplacement.contains(target)));
    }

    private static Step next(ScaleObservation o, ScaleObservation.LeaderReport leader,
                             Map<String, ConfiguredMember> config, String target, boolean stillGated) {
        var voters = config.values().stream().filter(ConfiguredMember::voter).toList();
        int v = voters.size();
        Set<String> leaderConfig = config.values().stream().map(m -> m.name() + "/" + m.kind())
                .collect(Collectors.toUnmodifiableSet());
        long agreeing = voters.stream().map(m -> o.reports().get(m.name()))
                .filter(r -> r != null && r.configuration().equals(leaderConfig)).count();
        boolean settled = agreeing >= QuorumMath.majority(v);
        int healthy = (int) voters.stream().filter(m -> healthy(o, m.name())).count();
        String kind = o.protocol() == ConsensusProtocol.Zab ? "observer" : "learner";
        ConfiguredMember member = config.get(target);
        String waitCommit = "waiting for the last membership change to commit: " + agreeing + "/" + v
                + " voters report the leader's configuration";

        if (member != null && member.voter()) {
            String remove = "remove " + target + " (lost its storage) from the configuration";
            if (!settled) {
                return Step.waitFor(remove, waitCommit);
            }
            int others = healthy - (healthy(o, target) ? 1 : 0);
            if (others < QuorumMath.majority(v - 1)) {
                return Step.waitFor(remove, "removing " + target + " needs " + QuorumMath.majority(v - 1)
                        + " healthy voters of the " + (v - 1) + " others, " + others + " are");
            }
            return Step.act(Kind.REMOVE_MEMBER, target, remove);
        }
        if (member == null) {
            String add = "add " + target + " again as " + kind;
            return settled ? Step.act(Kind.ADD_MEMBER, target, add) : Step.waitFor(add, waitCommit);
        }
        String promote = "promote " + target + " to voter";
        if (stillGated) {
            // It still runs the needs-replacement process, which started as a voter: restart it as the learner the
            // node configuration now lists.
            PodState pod = o.pods().get(target);
            return pod == null || !pod.present() ? Step.waitFor(promote, "waiting for pod " + target + " to be created")
                    : Step.act(Kind.RESTART, target, "restart " + target + " to join as " + kind);
        }
        if (!healthy(o, target)) {
            return Step.waitFor(promote, "waiting for " + target + " (" + kind + ") to be ready and follow the leader");
        }
        Long match = member.matchIndex();
        if (match == null || leader.lastIndex() - match > ScalePlanner.CAUGHT_UP_LAG) {
            return Step.waitFor(promote, target + " is catching up: " + (match == null
                    ? "its progress is not known yet" : (leader.lastIndex() - match) + " entries behind the leader")
                    + " (at most " + ScalePlanner.CAUGHT_UP_LAG + " to vote)");
        }
        if (!settled) {
            return Step.waitFor(promote, waitCommit);
        }
        if (healthy + 1 < QuorumMath.majority(v + 1)) {
            return Step.waitFor(promote, "promoting " + target + " would need " + QuorumMath.majority(v + 1)
                    + " healthy voters of " + (v + 1) + ", " + (healthy + 1) + " would be");
        }
        return Step.act(Kind.PROMOTE, target, promote);
    }
}
