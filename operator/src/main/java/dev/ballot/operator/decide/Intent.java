package dev.ballot.operator.decide;

import dev.ballot.operator.desired.DesiredChildren;
import dev.ballot.operator.replace.Replacement;
import dev.ballot.operator.scale.ScaleOutcome;
import java.util.List;

/**
 * What a reconcile applies: the children of a valid spec (built once, for the pods and voters the scale planner
 * chose), or the problems that make the spec invalid (then nothing is applied).
 *
 * @param problems what is wrong with the spec, each naming the field and the fix; empty when valid
 * @param children null when the spec is invalid
 * @param scale    null when the spec is invalid
 * @param replacement the member being replaced after it lost its storage, and the next step ({@link Replacement#NONE}
 *                 when none; scaling waits while one is under way)
 */
public record Intent(List<String> problems, DesiredChildren children, ScaleOutcome scale, Replacement replacement) {
    public Intent {
        problems = List.copyOf(problems);
        replacement = replacement == null ? Replacement.NONE : replacement;
    }

    public Intent(List<String> problems, DesiredChildren children, ScaleOutcome scale) {
        this(problems, children, scale, Replacement.NONE);
    }

    public boolean valid() {
        return children != null;
    }
}
