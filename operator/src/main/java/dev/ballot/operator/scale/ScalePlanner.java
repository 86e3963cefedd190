package dev.ballot.operator.scale;

import dev.ballot.operator.step.Step;
import dev.ballot.operator.api.ConsensusProtocol;
import dev.ballot.operator.desired.MemberLayout;
import dev.ballot.operator.desired.QuorumMath;
import dev.ballot.operator.scale.ScaleObservation.ConfiguredMember;
import dev.ballot.operator.scale.ScaleObservation.LeaderReport;
import dev.ballot.operator.scale.ScaleObservation.MemberReport;
import dev.ballot.operator.scale.ScaleObservation.PodState;
import dev.ballot.operator.step.Step.Kind;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Decides the next single step that brings the voters to spec.replicas through membership changes. Pure: every
 * input is observed, so the operator may restart at any step and pick up where the members are.
 *
 * <p>Up, one member at a time: create its pod (StatefulSet replicas + 1; the config lists it as a non-voter) → add it
 * as a Raft learner / ZAB observer → wait until it follows the leader within {@link #CAUGHT_UP_LAG} entries →
 * promote it. Down, highest ordinal first: move leadership off it if it leads → remove it → once the removal is
 * committed, lower the StatefulSet's replicas. Every membership change waits until the previous one is committed
 * (a majority of the voters report the leader's configuration) and never leaves fewer healthy voters than a
 * majority of the new configuration.
 */
public final class ScalePlanner {
    /** A learner at most this far behind the leader's last index may vote (the node's transfer limit). */
    public static final long CAUGHT_UP_LAG = 100;

    private ScalePlanner() {
    }

    public static ScaleOutcome plan(ScaleObservation o) {
        int desired = o.desiredVoters();
        MemberLayout fromSpec = new MemberLayout(desired + o.nonVoters(), desired);
        if (o.statefulSetReplicas() == null) {
            // A new cluster: every member starts with the spec's configuration (the bootstrap membership).
            return new ScaleOutcome(fromSpec, Step.NONE);
        }
        int replicas = o.statefulSetReplicas();
        int recorded = o.recordedVoters() != null ? o.recordedVoters() : Math.max(0, replicas - o.nonVoters());
        MemberLayout hold = new MemberLayout(replicas, Math.min(recorded, replicas));
        String goal = "scale to " + desired + " voters";

        LeaderReport leader = o.leader();
        if (leader == null) {
            return hold.equals(fromSpec) ? new ScaleOutcome(hold, Step.NONE)
                    : new ScaleOutcome(hold, Step.waitFor(goal, "no leader is known; membership changes wait for one"));
        }
        List<ConfiguredMember> voters = leader.members().stream().filter(ConfiguredMember::voter)
                .sorted(Comparator.comparingInt(m -> ordinal(o, m.name()))).toList();
        int v = voters.size();
        for (int i = 0; i < v; i++) {
            if (ordinal(o, voters.get(i).name()) != i) {
                return new ScaleOutcome(hold, Step.blocked(goal, "the voters " + names(voters) + " are not the pods "
                        + o.cluster() + "-0.." + (v - 1) + "; the operator only scales at the highest ordinal: "
                        + "fix the membership with /v1/admin/members"));
            }
        }
        if (o.nonVoters() > 0) {
            return desired == v ? new ScaleOutcome(fromSpec, Step.NONE)
                    : new ScaleOutcome(hold, Step.blocked(goal, "scaling a cluster with "
                    + (o.protocol() == ConsensusProtocol.Zab ? "spec.observers" : "spec.learners")
                    + " is not supported yet (they take the ordinals after the voters): set them to 0 first, or set "
                    + "spec.replicas back to " + v));
        }

        Set<String> leaderConfig = configuration(leader.members());
        long agreeing = voters.stream().map(m -> o.reports().get(m.name()))
                .filter(r -> r != null && r.configuration().equals(leaderConfig)).count();
        boolean settled = agreeing >= QuorumMath.majority(v);
        int healthy = (int) voters.stream().filter(m -> healthy(o, m.name())).count();
        // Joining members (learners/observers) sorted highest ordinal first: leftovers are removed in that order.
        List<ConfiguredMember> joining = leader.members().stream().filter(m -> !m.voter())
                .sorted(Comparator.comparingInt((ConfiguredMember m) -> ordinal(o, m.name())).reversed()).toList();

        ScaleOutcome plan = decide(o, v, settled, agreeing, healthy, hold, decide(o, leader, v, healthy, joining, replicas),
                replicas);
        return new ScaleOutcome(plan.layout(), plan.step(), new MemberLayout(Math.max(plan.layout().pods(), v), v));
    }

    private static ScaleOutcome decide(ScaleObservation o, int v, boolean settled, long agreeing, int healthy,
                                    MemberLayout hold, Choice d, int replicas) {
        if (d.step().kind() == Kind.NONE) {
            return new ScaleOutcome(settled ? new MemberLayout(replicas, v) : hold, Step.NONE);
        }
        if (!settled) {
            return new ScaleOutcome(hold, Step.waitFor(d.step().step(), "waiting for the last membership change "
                    + "to commit: " + agreeing + "/" + v + " voters report the leader's configuration"));
        }
        if (d.step().kind() != Kind.WAIT && !QuorumMath.hasQuorum(v, healthy)) {
            return new ScaleOutcome(new MemberLayout(replicas, v), Step.waitFor(d.step().step(),
                    "quorum is not healthy: " + healthy + "/" + v + " voters healthy, " + QuorumMath.majority(v)
                            + " required"));
        }
        if (o.rolloutPending() && d.startsSomething()) {
            return new ScaleOutcome(new MemberLayout(replicas, v), Step.waitFor(d.step().step(),
                    "a rolling update is in progress; scaling continues once every pod runs the current template"));
        }
        return new ScaleOutcome(new MemberLayout(d.pods(), v), d.step());
    }

    /** A step, the pods it needs, and whether it starts something new (held back during a rolling update). */
    private record Choice(Step step, int pods, boolean startsSomething) {
    }

    private static Choice decide(ScaleObservation o, LeaderReport leader, int v, int healthy,
                                   List<ConfiguredMember> joining, int replicas) {
        int desired = o.desiredVoters();
        if (desired > v) {
            String next = pod(o, v);
            Optional<ConfiguredMember> stray = joining.stream().filter(m -> !m.name().equals(next)).findFirst();
            if (stray.isPresent()) {
                return removeLeftover(stray.get(), replicas);
            }
            if (replicas < v + 1) {
                return new Choice(Step.act(Kind.RESIZE, next, "create pod " + next), v + 1, true);
            }
            PodState pod = o.pods().get(next);
            if (pod == null || !pod.present()) {
                return new Choice(Step.waitFor("add " + next, "waiting for pod " + next + " to be created"),
                        replicas, false);
            }
            String kind = o.protocol() == ConsensusProtocol.Zab ? "observer" : "learner";
            Optional<ConfiguredMember> member = joining.stream().findFirst();
            if (member.isEmpty()) {
                return new Choice(Step.act(Kind.ADD_MEMBER, next, "add " + next + " as " + kind), replicas,
                        false);
            }
            String promote = "promote " + next + " to voter";
            if (!healthy(o, next)) {
                return new Choice(Step.waitFor(promote, "waiting for " + next + " (" + kind
                        + ") to be ready and follow the leader"), replicas, false);
            }
            Long match = member.get().matchIndex();
            if (match == null || leader.lastIndex() - match > CAUGHT_UP_LAG) {
                return new Choice(Step.waitFor(promote, next + " is catching up: "
                        + (match == null ? "its progress is not known yet" : (leader.lastIndex() - match)
                        + " entries behind the leader") + " (at most " + CAUGHT_UP_LAG + " to vote)"), replicas, false);
            }
            if (healthy + 1 < QuorumMath.majority(v + 1)) {
                return new Choice(Step.waitFor(promote, "promoting " + next + " would need "
                        + QuorumMath.majority(v + 1) + " healthy voters of " + (v + 1) + ", " + (healthy + 1)
                        + " would be"), replicas, false);
            }
            return new Choice(Step.act(Kind.PROMOTE, next, promote), replicas, true);
        }
        if (!joining.isEmpty()) {
            return removeLeftover(joining.get(0), replicas);
        }
        if (replicas > v) {
            // The pod of the member removed last goes; its volume claim stays.
            return new Choice(Step.act(Kind.RESIZE, pod(o, replicas - 1), "delete pod " + pod(o, replicas - 1)
                    + " (no longer a member)"), v, false);
        }
        if (replicas < v) {
            return new Choice(Step.act(Kind.RESIZE, pod(o, replicas), "recreate the pods of voters "
                    + pod(o, replicas) + ".." + pod(o, v - 1)), v, false);
        }
        if (desired == v) {
            return new Choice(Step.NONE, v, false);
        }
        String target = pod(o, v - 1);
        String remove = "remove " + target;
        int left = healthy - (healthy(o, target) ? 1 : 0);
        if (left < QuorumMath.majority(v - 1)) {
            return new Choice(Step.waitFor(remove, "removing " + target + " would leave " + left
                    + " healthy voters of " + (v - 1) + ", " + QuorumMath.majority(v - 1) + " required"), replicas, false);
        }
        if (target.equals(leader.name())) {
            return new Choice(Step.act(Kind.TRANSFER_LEADERSHIP, target, "transfer leadership from " + target
                    + " before removing it"), replicas, true);
        }
        return new Choice(Step.act(Kind.REMOVE_MEMBER, target, remove), replicas, true);
    }

    private static Choice removeLeftover(ConfiguredMember m, int replicas) {
        return new Choice(Step.act(Kind.REMOVE_MEMBER, m.name(), "remove " + m.name() + " (" + m.kind()
                + " left from an earlier scale-up)"), replicas, false);
    }

    /** Ready pod, answering, and following a known leader. */
    public static boolean healthy(ScaleObservation o, String name) {
        PodState pod = o.pods().get(name);
        MemberReport report = o.reports().get(name);
        return pod != null && pod.present() && pod.ready() && report != null && report.knowsLeader();
    }

    static Set<String> configuration(List<ConfiguredMember> members) {
        return members.stream().map(m -> m.name() + "/" + m.kind()).collect(Collectors.toUnmodifiableSet());
    }

    public static String pod(ScaleObservation o, int ordinal) {
        return o.cluster() + "-" + ordinal;
    }

    /** The pod ordinal in a member name {@code <cluster>-<ordinal>}; -1 for any other name. */
    public static int ordinal(ScaleObservation o, String name) {
        String prefix = o.cluster() + "-";
        if (name == null || !name.startsWith(prefix)) {
            return -1;
        }
        try {
            return Integer.parseInt(name.substring(prefix.length()));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static String names(List<ConfiguredMember> members) {
        return members.stream().map(ConfiguredMember::name).collect(Collectors.joining(",", "[", "]"));
    }
}
