package dev.ballot.operator.status;

/** A core/v1 Event the operator publishes on the cluster: something it did or noticed (Normal), or that needs a human (Warning). */
public record EventToPublish(boolean warning, String reason, String message) {
    public static EventToPublish normal(String reason, String message) {
        return new EventToPublish(false, reason, message);
    }

    public static EventToPublish warning(String reason, String message) {
        return new EventToPublish(true, reason, message);
    }
}
