package dev.ballot.operator.scale;

import dev.ballot.operator.step.Step;
import dev.ballot.operator.desired.MemberLayout;

/**
 * The pods and config listing to apply now ({@code layout}: the voters the cluster committed), the membership step
 * to take, and the members as the leader counts them now ({@code current}: its latest configuration, which Raft and
 * ZAB use from the moment it is appended), for the status and its quorum.
 */
public record ScaleOutcome(MemberLayout layout, Step step, MemberLayout current) {
    public ScaleOutcome(MemberLayout layout, Step step) {
        this(layout, step, layout);
    }

    public boolean scaling() {
        return step.pending();
    }
}
