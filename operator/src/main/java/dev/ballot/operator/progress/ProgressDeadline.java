package dev.ballot.operator.progress;

import dev.ballot.operator.api.ElectionClusterStatus;
import dev.ballot.operator.status.EventToPublish;
import dev.ballot.operator.status.OperationOverlay;
import dev.ballot.operator.status.StatusConditions;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;

/**
 * {@code spec.progressDeadlineSeconds}: a rollout, scaling or replacement step (the one {@code status.rollout.step}
 * names) that is still the next step after the deadline makes the cluster Stalled, with reason
 * {@code ProgressDeadlineExceeded}, the step and what holds it back, and one Warning Event; it clears as soon as the
 * step moves (another step, or none). {@code status.rollout.since} records when the step became the next one, so an
 * operator that restarts keeps counting. Pure.
 */
public final class ProgressDeadline {
    public static final String REASON = "ProgressDeadlineExceeded";
    public static final int DEFAULT_SECONDS = 600;

    private ProgressDeadline() {
    }

    /**
     * Stamps {@code status.rollout.since} and, past the deadline, lays Stalled over the conditions. Returns the
     * Warning to publish when the deadline has just been exceeded.
     */
    public static Optional<EventToPublish> apply(ElectionClusterStatus status, ElectionClusterStatus previous,
                                                 Duration deadline, Instant now) {
        if (status.rollout == null || status.rollout.step == null || status.rollout.step.isEmpty()) {
            return Optional.empty();
        }
        String step = status.rollout.step;
        boolean same = previous != null && previous.rollout != null && step.equals(previous.rollout.step);
        Instant since = same ? parse(previous.rollout.since).orElse(now) : now;
        status.rollout.since = since.toString();
        Duration waited = Duration.between(since, now);
        if (waited.compareTo(deadline) <= 0 || OperationOverlay.leavesAlone(status)) {
            return Optional.empty();
        }
        String blockedBy = status.rollout.blockedBy == null || status.rollout.blockedBy.isEmpty() ? ""
                : " (" + status.rollout.blockedBy + ")";
        String stalled = "'" + step + "' has been the next step since " + since + ", longer than "
                + "spec.progressDeadlineSeconds (" + deadline.toSeconds() + " s): look at what holds it back in "
                + "status.rollout.blockedBy and the Events";
        List<Condition> before = previous == null ? null : previous.conditions;
        return new OperationOverlay(REASON, "no progress on " + step + blockedBy, true, stalled, false)
                .apply(status, before, now);
    }

    /** The deadline a spec asks for ({@code null}: the default). */
    public static Duration of(Integer seconds) {
        return Duration.ofSeconds(seconds == null ? DEFAULT_SECONDS : seconds);
    }

    private static Optional<Instant> parse(String instant) {
        if (instant == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(Instant.parse(instant));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
