package dev.ballot.engine.sim;

/** A broken invariant, named so a report says which one. */
public final class InvariantViolation extends RuntimeException {
    private final String invariant;

    public InvariantViolation(String invariant, String detail) {
        super(invariant + ": " + detail);
        this.invariant = invariant;
    }

    public String invariant() {
        return invariant;
    }
}
