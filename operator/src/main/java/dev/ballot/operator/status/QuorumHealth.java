package dev.ballot.operator.status;

import dev.ballot.operator.api.ElectionClusterStatus;
import dev.ballot.operator.api.QuorumStatus;
import dev.ballot.operator.desired.QuorumMath;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Duration;
import java.time.Instant;

/**
 * The quorum as the members report it: whether it is available, whether an election is under way rather than the
 * quorum lost, and what Degraded says. Pure.
 *
 * @param electing no quorum of healthy voters while a majority still answers: an election (a leadership transfer, a
 *                 failover) rather than a lost quorum, for as long as elections take ({@link #ELECTION_GRACE})
 */
record QuorumHealth(QuorumStatus status, int voters, int healthyVoters, int answeringVoters, boolean available,
                    boolean everLed, boolean electing) {
    /**
     * How long no leader, with a majority of voters answering, counts as an election and not as a lost quorum. A
     * leadership transfer or a failover elects within a second or two (Raft timeouts are 150-300 ms; ZAB's
     * measured failover 0.2-4 s).
     */
    static final Duration ELECTION_GRACE = Duration.ofSeconds(5);

    /** What the Degraded condition says. */
    record Degraded(boolean degraded, String reason, String message) {
    }

    static QuorumHealth of(int voters, int healthyVoters, int answeringVoters, boolean leaderKnown, boolean everLed,
                           ElectionClusterStatus prev, Instant now) {
        QuorumStatus q = new QuorumStatus();
        q.voters = voters;
        q.healthy = healthyVoters;
        q.required = QuorumMath.majority(voters);
        q.faultTolerance = QuorumMath.remainingTolerance(voters, healthyVoters);
        boolean available = QuorumMath.hasQuorum(voters, healthyVoters) && leaderKnown;
        boolean electing = !available && QuorumMath.hasQuorum(voters, answeringVoters)
                && unavailableFor(prev, now).compareTo(ELECTION_GRACE) < 0;
        return new QuorumHealth(q, voters, healthyVoters, answeringVoters, available, everLed, electing);
    }

    /** Once the cluster has had a leader, no quorum and no election in its grace period. */
    boolean lost() {
        return everLed && !available && !electing;
    }

    Degraded degraded(String summary) {
        if (lost()) {
            return new Degraded(true, "QuorumLost", summary + "; " + QuorumMath.majority(voters)
                    + " required: writes are unavailable");
        }
        // While electing, members that answer are not failures: only those that do not answer count.
        int counted = electing ? answeringVoters : healthyVoters;
        if (everLed && counted < voters && voters > 1 && QuorumMath.remainingTolerance(voters, counted) == 0) {
            return new Degraded(true, "NoFaultTolerance", summary + "; one more voter failure loses quorum");
        }
        if (electing && everLed) {
            return new Degraded(false, "Electing", summary + "; " + answeringVoters + "/" + voters + " voters answer: "
                    + "an election is in progress (QuorumLost if no leader within " + ELECTION_GRACE.toSeconds()
                    + " s)");
        }
        return new Degraded(false, everLed ? "QuorumHealthy" : "Bootstrapping",
                everLed ? summary : "the cluster has not elected its first leader yet");
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
