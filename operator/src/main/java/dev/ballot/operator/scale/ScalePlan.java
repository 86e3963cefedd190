package dev.ballot.operator.scale;

import dev.ballot.operator.plan.MemberLayout;

/** The pods and config listing to apply now, and the membership step to take. */
public record ScalePlan(MemberLayout layout, ScaleStep step) {
    public boolean scaling() {
        return step.scaling();
    }
}
