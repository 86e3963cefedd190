package dev.ballot.operator.actions;

import dev.ballot.operator.api.MemberStatus;
import dev.ballot.operator.status.PodView;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the action gates read: the members as this reconcile's status reports them, their pods, the leader, and why
 * no action may start now (null when one may).
 *
 * @param blockedReason  CamelCase reason a new action is refused for whatever it is (Paused, InvalidSpec,
 *                       RolloutInProgress), or null
 * @param blockedMessage the same for people
 * @param holdSteps      true when the operator changes nothing now (paused, invalid spec): a running action waits
 * @param bootstrapped   the cluster has bootstrapped (members start with {@code BALLOT_INITIAL_CLUSTER_STATE=existing}),
 *                       so a member that starts empty asks to be replaced instead of voting as a new cluster's
 * @param replacing      the member replacement in progress (replace/ReplacementPlanner), or null
 */
public record ClusterView(String leader, Long term, List<MemberStatus> members, Map<String, PodView> pods,
                          String blockedReason, String blockedMessage, boolean holdSteps, boolean bootstrapped,
                          Replacing replacing) {
    /** A replacement under way: its member and the next step, as status.rollout shows it. */
    public record Replacing(String member, String step) {
    }

    /** A bootstrapped cluster with no replacement in progress. */
    public ClusterView(String leader, Long term, List<MemberStatus> members, Map<String, PodView> pods,
                       String blockedReason, String blockedMessage, boolean holdSteps) {
        this(leader, term, members, pods, blockedReason, blockedMessage, holdSteps, true, null);
    }

    /**
     * A member at most this many entries behind the leader counts as caught up: the node refuses to hand leadership
     * to one further behind (409 not_caught_up, docs/node-api.md).
     */
    public static final long CAUGHT_UP_LAG = 100;

    public ClusterView {
        members = members == null ? List.of() : List.copyOf(members);
        pods = pods == null ? Map.of() : Map.copyOf(pods);
    }

    public Optional<MemberStatus> member(String name) {
        return members.stream().filter(m -> m.name.equals(name)).findFirst();
    }

    public List<MemberStatus> voters() {
        return members.stream().filter(m -> Boolean.TRUE.equals(m.voter)).toList();
    }

    public boolean leads(String name) {
        return name != null && name.equals(leader);
    }

    /** Answers, follows a leader, and its pod is ready and not going away. */
    public boolean healthy(MemberStatus m) {
        PodView pod = pods.get(m.name);
        return Boolean.TRUE.equals(m.ready) && pod != null && pod.serves();
    }

    /** The leader, or a member whose lag the leader reports within {@link #CAUGHT_UP_LAG}. */
    public boolean caughtUp(MemberStatus m) {
        return leads(m.name) || (m.lag != null && m.lag <= CAUGHT_UP_LAG);
    }

    /** Why {@code m} is not healthy and caught up, for a refusal; null when it is. */
    public String unfit(MemberStatus m) {
        if (!healthy(m)) {
            PodView pod = pods.get(m.name);
            String why = pod == null ? "its pod does not exist" : pod.terminating() ? "its pod is terminating"
                    : !pod.ready() ? "its pod is not ready" : m.message != null ? m.message : "it is not ready";
            return m.name + " is not healthy (" + why + ")";
        }
        if (!caughtUp(m)) {
            return m.name + " is not caught up (" + (m.lag == null ? "lag unknown" : m.lag + " entries behind")
                    + ", at most " + CAUGHT_UP_LAG + ")";
        }
        return null;
    }

    /** The healthy, caught-up voter other than {@code except} with the smallest lag (then the lowest name). */
    public Optional<MemberStatus> bestVoterExcept(String except) {
        return voters().stream().filter(m -> !m.name.equals(except)).filter(m -> unfit(m) == null)
                .min(Comparator.comparingLong((MemberStatus m) -> m.lag == null ? 0 : m.lag)
                        .thenComparing(m -> m.name));
    }

    public String podUid(String name) {
        PodView pod = pods.get(name);
        return pod == null ? null : pod.uid();
    }
}
