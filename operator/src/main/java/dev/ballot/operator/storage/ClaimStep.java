package dev.ballot.operator.storage;

/** What to do with one member's claim. */
public record ClaimStep(String claim, Kind kind, String message) {
    public enum Kind {
        /** At (or above) the desired size, nothing pending. */
        NONE,
        /** Patch spec.resources.requests.storage to the desired size. */
        PATCH,
        /** Requested already; the resize is under way (or the claim is not bound yet). */
        WAIT,
        /** Cannot grow without a human; the message says why and the fix (the plan's summary adds the field). */
        BLOCKED
    }
}
