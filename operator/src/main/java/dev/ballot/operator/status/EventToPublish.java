package dev.ballot.operator.status;

/**
 * A core/v1 Event the operator publishes on the cluster: something it did or noticed (Normal), or that needs a human
 * (Warning).
 *
 * @param news an Event that only repeats what the status written with it says (a new leader, a member that stopped or
 *             started answering, the Degraded condition's new reason): it goes out beside the status write instead of
 *             before it, so it never delays the status a user waits on (a reconcile that sent two such Warnings
 *             first held the next one, the one naming a failover's new leader, by 170-680 ms on the 2-core test
 *             machine). An operator killed between the two may lose such an Event: its successor announces the
 *             Warnings the status records again at its first reconcile of the cluster
 *             ({@link StatusEvents#stillTrue}). Every other Event (the operator's own steps, a call to act:
 *             MemberNeedsReplacement, a stall, an invalid spec, NOSPACE) is sent before the status that records its
 *             transition, so that a killed operator announces it again after its restart.
 */
public record EventToPublish(boolean warning, String reason, String message, boolean news) {
    public static EventToPublish normal(String reason, String message) {
        return new EventToPublish(false, reason, message, false);
    }

    public static EventToPublish warning(String reason, String message) {
        return new EventToPublish(true, reason, message, false);
    }

    /** A Normal Event that repeats what the new status says (see {@link #news}). */
    public static EventToPublish news(String reason, String message) {
        return new EventToPublish(false, reason, message, true);
    }

    /** A Warning that repeats what the new status says (see {@link #news}). */
    public static EventToPublish warningNews(String reason, String message) {
        return new EventToPublish(true, reason, message, true);
    }
}
