package dev.ballot.operator.status;

/**
 * A core/v1 Event the operator publishes on the cluster: something it did or noticed (Normal), or that needs a human
 * (Warning).
 *
 * @param news a Normal Event that only repeats what the status written with it says (a new leader, a member
 *             answering again): it goes out beside the status write instead of before it, so it never delays the
 *             status a user waits on. An operator killed between the two loses such an Event and no information.
 *             Every other Event is sent before the status that records its transition, so that a killed operator
 *             announces it again after its restart.
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
}
