package dev.ballot.operator.status;

import dev.ballot.operator.api.ElectionClusterStatus;
import dev.ballot.operator.members.MemberObservation;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Whether to hold back a status whose only news is that the leader is in trouble, and for how long.
 *
 * <p>When a leader's process dies its connection to the operator closes at once, its followers start an election, and
 * a successor is elected about one election timeout later (0.2-0.6 s seen on the 2-core test machine). Publishing the
 * trouble first costs a status write (50-300 ms on a busy API server) that the report of the new leader then waits
 * behind, and Warning Events that the next status contradicts. So a status that still names the same leader in the
 * same term (or no leader) while that leader does not answer, its pod is not ready, or one of its followers is
 * electing is held for up to {@link #HOLD}
 * from the first reconcile that held it; a new leader, a higher term or the hold running out publishes it. Only the
 * status write and the Events that repeat it wait, never a step or an action.
 */
public final class LeaderLossHold {
    /** Longer than an election on a busy machine, short against the status refresh (30 s) and any alert's window. */
    public static final Duration HOLD = Duration.ofSeconds(1);

    private LeaderLossHold() {}

    /**
     * Whether {@code next} only tells that the leader of {@code previous} is in trouble: it names that leader in the
     * same term, or none, while that leader does not answer or is not ready, or a voter the stored status shows following it is
     * electing (a member that restarts elects too, but the stored status showed it unreachable first).
     *
     * @param members the latest observations, by member name
     */
    public static boolean applies(ElectionClusterStatus previous, ElectionClusterStatus next,
                                  Map<String, MemberObservation> members) {
        if (previous == null || previous.leader == null || next == null) {
            return false;
        }
        boolean noNewLeader = next.leader == null
                || (next.leader.equals(previous.leader) && Objects.equals(next.term, previous.term));
        if (!noNewLeader) {
            return false;
        }
        MemberObservation leader = members.get(previous.leader);
        // Its link tells (the connection closed), or its pod does (the kubelet saw the container end) when that came
        // first: on a busy machine either can lead by several hundred milliseconds.
        boolean leaderSilent = (leader != null && !leader.isReachable()) || next.members.stream()
                .anyMatch(row -> previous.leader.equals(row.name)
                        && (Boolean.FALSE.equals(row.ready) || Boolean.FALSE.equals(row.reachable)));
        boolean followerElecting = previous.members.stream().filter(LeaderLossHold::followed)
                .map(row -> members.get(row.name))
                .anyMatch(m -> m != null && m.isReachable() && m.status().electing());
        return leaderSilent || followerElecting;
    }

    /** A voter the stored status shows answering as a follower: if it elects now, it lost its leader. */
    private static boolean followed(dev.ballot.operator.api.MemberStatus row) {
        return Boolean.TRUE.equals(row.voter) && Boolean.TRUE.equals(row.reachable)
                && ("follower".equals(row.role) || "following".equals(row.role));
    }

    /** How much longer to hold, given how long this trouble has been held already; empty to publish now. */
    public static Optional<Duration> remaining(Duration heldFor) {
        return heldFor.compareTo(HOLD) >= 0 ? Optional.empty() : Optional.of(HOLD.minus(heldFor));
    }
}
