package dev.ballot.operator.replace;

import dev.ballot.operator.step.Step;

/**
 * The member being replaced and the next step, or {@link #NONE}.
 *
 * @param target    the member's name (its pod's), null when nothing is replaced
 * @param rejoining the node configuration lists it as a learner/observer in its voter's slot: it has left the
 *                  configuration as a voter, so its pod must start empty as a non-voter
 * @param step      what to do next (a WAIT names what holds it back)
 */
public record Replacement(String target, boolean rejoining, Step step) {
    public static final Replacement NONE = new Replacement(null, false, Step.NONE);

    public boolean active() {
        return target != null;
    }
}
