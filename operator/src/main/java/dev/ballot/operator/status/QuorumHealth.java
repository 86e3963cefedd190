package dev.ballot.operator.status;

import dev.ballot.operator.api.ElectionClusterStatus;
import dev.ballot.operator.api.QuorumStatus;
import dev.ballot.operator.desired.QuorumMath;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Duration;
import java.time.Instant;

/**
 * The quorum as the members report it: whether it is available, whether an election is under way rather than the
 * quorum lost, whether the operator has not heard enough to say, and what Degraded says. Pure.
 *
 * @param unknownVoters voters the operator has not heard from yet (it just started or took over): not failures
 * @param electing      no quorum of healthy voters while a majority still answers: an election (a leadership
 *                      transfer, a failover) rather than a lost quorum, for as long as elections take
 *                      ({@link #ELECTION_GRACE})
 * @param observing     no quorum in what was heard, no election, but the voters not heard from yet could still make
 *                      one: the previous verdict stands until they report (see {@link MemberRows#NOT_HEARD_GRACE})
 * @param formed        the quorum has been available (a leader and a majority of healthy voters) at least once: only
 *                      then can it be lost. A cluster being created elects its first leader before its pods are Ready
 *                      and their names resolve, and reporting that moment as QuorumLost (a Warning, phase Degraded,
 *                      Argo CD's Degraded) was a false alarm at every creation
 */
record QuorumHealth(QuorumStatus status, int voters, int healthyVoters, int answeringVoters, int unknownVoters,
                    boolean available, boolean everLed, boolean formed, boolean electing, boolean observing) {
    /**
     * How long no leader, with a majority of voters answering, counts as an election and not as a lost quorum. A
     * leadership transfer or a failover elects within a second or two (Raft timeouts are 150-300 ms; ZAB's
     * measured failover 0.2-4 s).
     */
    static final Duration ELECTION_GRACE = Duration.ofSeconds(5);

    /** What the Degraded condition says. */
    record Degraded(boolean degraded, String reason, String message) {
    }

    static QuorumHealth of(int voters, int healthyVoters, int answeringVoters, int unknownVoters, boolean leaderKnown,
                           boolean everLed, ElectionClusterStatus prev, Instant now) {
        QuorumStatus q = new QuorumStatus();
        q.voters = voters;
        q.healthy = healthyVoters;
        q.required = QuorumMath.majority(voters);
        q.faultTolerance = QuorumMath.remainingTolerance(voters, healthyVoters);
        boolean available = QuorumMath.hasQuorum(voters, healthyVoters) && leaderKnown;
        boolean electing = !available && QuorumMath.hasQuorum(voters, answeringVoters)
                && unavailableFor(prev, now).compareTo(ELECTION_GRACE) < 0;
        boolean observing = !available && !electing && unknownVoters > 0
                && QuorumMath.hasQuorum(voters, answeringVoters + unknownVoters);
        return new QuorumHealth(q, voters, healthyVoters, answeringVoters, unknownVoters, available, everLed,
                available || formedBefore(prev), electing, observing);
    }

    /** Once the quorum has been available: no quorum, no election in its grace period, and nothing left to hear. */
    boolean lost() {
        return formed && !available && !electing && !observing;
    }

    Degraded degraded(String summary) {
        if (lost()) {
            return new Degraded(true, "QuorumLost", summary + "; " + QuorumMath.majority(voters)
                    + " required: writes are unavailable");
        }
        if (observing) {
            return new Degraded(false, "Observing", notHeard(summary));
        }
        // While electing, members that answer are not failures; members not heard from yet are not either.
        int counted = (electing ? answeringVoters : healthyVoters) + unknownVoters;
        if (formed && counted < voters && voters > 1 && QuorumMath.remainingTolerance(voters, counted) == 0) {
            return new Degraded(true, "NoFaultTolerance", summary + "; one more voter failure loses quorum");
        }
        if (electing && formed) {
            return new Degraded(false, "Electing", summary + "; " + answeringVoters + "/" + voters + " voters answer: "
                    + "an election is in progress (QuorumLost if no leader within " + ELECTION_GRACE.toSeconds()
                    + " s)");
        }
        if (!formed) {
            return new Degraded(false, BOOTSTRAPPING, everLed
                    ? summary + "; the first quorum is forming: a majority of voters ready with the leader"
                    : "the cluster has not elected its first leader yet");
        }
        return new Degraded(false, "QuorumHealthy", summary);
    }

    /** Degraded's reason until the quorum has first been available. */
    static final String BOOTSTRAPPING = "Bootstrapping";

    /**
     * Whether the previous status said the quorum had been available: Available True, or a Degraded verdict past
     * bootstrapping (not Bootstrapping, nor Observing, which is written only when there was no verdict before).
     */
    static boolean formedBefore(ElectionClusterStatus prev) {
        if (StatusConditions.isTrue(prev.conditions, StatusConditions.AVAILABLE)) {
            return true;
        }
        Condition degraded = StatusConditions.find(prev.conditions, StatusConditions.DEGRADED);
        return degraded != null && degraded.getReason() != null && !BOOTSTRAPPING.equals(degraded.getReason())
                && !"Observing".equals(degraded.getReason());
    }

    /** What the conditions say while the operator has not heard from enough voters to judge the quorum. */
    String notHeard(String summary) {
        return summary + "; " + unknownVoters + "/" + voters + " voters not heard from yet since this operator began "
                + "watching: the quorum is judged once they report (within " + MemberRows.NOT_HEARD_GRACE.toSeconds()
                + " s)";
    }

    /**
     * Since when the cluster has had no quorum of healthy voters, as of the previous status: Available's last
     * transition when it is False, else now.
     */
    private static Duration unavailableFor(ElectionClusterStatus prev, Instant now) {
        Condition available = StatusConditions.find(prev.conditions, StatusConditions.AVAILABLE);
        if (available == null || !"False".equals(available.getStatus()) || available.getLastTransitionTime() == null) {
            return Duration.ZERO;
        }
        try {
            return Duration.between(Instant.parse(available.getLastTransitionTime()), now);
        } catch (java.time.format.DateTimeParseException e) {
            return Duration.ZERO;
        }
    }
}
