package dev.ballot.operator.status;

/** Something the operator decided or noticed, published as a Kubernetes Event on the cluster. */
public record Decision(boolean warning, String reason, String message) {
    public static Decision normal(String reason, String message) {
        return new Decision(false, reason, message);
    }

    public static Decision warning(String reason, String message) {
        return new Decision(true, reason, message);
    }
}
