package dev.ballot.operator.status;

import dev.ballot.operator.step.Step;
import java.util.Collection;
import java.util.Comparator;

/**
 * Why a cluster needs a human (the Stalled condition's reason and message): a pod that cannot start, or a rollout
 * that waits while the quorum is lost. Pure.
 */
record Stall(String reason, String message) {
    /** The stall, or null when nothing needs a human; a failing pod (the first by name) comes first. */
    static Stall of(Collection<PodView> pods, Step rollout, boolean quorumLost) {
        PodView broken = pods.stream().filter(p -> p.problem() != null).min(Comparator.comparing(PodView::name))
                .orElse(null);
        if (broken != null) {
            return new Stall("PodFailing", "pod " + broken.name() + " cannot start: " + broken.problem()
                    + "; fix spec.image or the registry access");
        }
        if (!rollout.blockedBy().isEmpty() && rollout.kind() == Step.Kind.WAIT && quorumLost) {
            return new Stall("RolloutBlocked", rollout.blockedBy());
        }
        return null;
    }
}
