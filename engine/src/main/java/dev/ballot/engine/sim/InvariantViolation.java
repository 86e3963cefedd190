package dev.ballot.engine.sim;

/** A broken invariant, named so a report says which one. */
public final class InvariantViolation extends RuntimeException {
    private final String invariant;
    private final String detail;

    public InvariantViolation(String invariant, String detail) {
        super(invariant + ": " + detail);
        this.invariant = invariant;
        this.detail = detail;
    }

    public String invariant() {
        return invariant;
    }

    public String detail() {
        return detail;
    }
}
