package dev.ballot.operator.actions;

import dev.ballot.operator.api.ActionStatus;
import dev.ballot.operator.status.EventToPublish;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Decides status.actions and the one executor call of a reconcile from the annotations' requests, the previous
 * status.actions and the {@link ClusterView}. Pure. Rules common to every kind live here; each kind's own gate and
 * progress are its {@link ActionRules}:
 * <ul>
 *   <li>one entry per kind, for its latest request; a request already acknowledged (same request id) is never
 *   carried out again, so re-applying the annotations is harmless;</li>
 *   <li>one action runs at a time per cluster; a request arriving meanwhile is Accepted and starts after it;</li>
 *   <li>a request is Refused (with a Warning Event) while the spec is paused or invalid or a rolling update or
 *   scaling is in progress, or when its kind's gate finds it unsafe;</li>
 *   <li>a Running action that outlives its kind's deadline is Failed.</li>
 * </ul>
 */
public final class ActionPlanner {
    /** ClusterView's blocked reason while a rolling update, scaling or replacement is pending. */
    public static final String ROLLOUT_IN_PROGRESS = "RolloutInProgress";

    private ActionPlanner() {
    }

    /**
     * The new status.actions (null when there are none), the Events of their transitions, and the executor call to
     * make (null: none).
     */
    public record Plan(List<ActionStatus> actions, List<EventToPublish> events, ActionStep step) {
        /** An action is Accepted or Running: the rollout and scaling wait, and the operator looks again soon. */
        public boolean busy() {
            return actions != null && actions.stream().anyMatch(a -> ActionPhase.Accepted.name().equals(a.phase)
                    || ActionPhase.Running.name().equals(a.phase));
        }

        /** The action in progress, for the rollout's blockedBy; null when none. */
        public String running() {
            return actions == null ? null : actions.stream().filter(a -> ActionPhase.Running.name().equals(a.phase))
                    .map(a -> a.name + " " + a.target).findFirst().orElse(null);
        }
    }

    public static Plan plan(List<ActionRequest> requests, List<ActionStatus> previous, ClusterView cluster,
                            Instant now) {
        Map<String, ActionStatus> byName = new LinkedHashMap<>();
        for (ActionKind kind : ActionKind.values()) {
            byName.put(kind.actionName(), null);
        }
        if (previous != null) {
            previous.forEach(a -> byName.put(a.name, new ActionStatus(a)));
        }
        List<EventToPublish> events = new ArrayList<>();
        ActionStep step = null;
        boolean running = false;

        // The action in progress moves on first.
        for (ActionStatus a : byName.values()) {
            ActionKind kind = a == null ? null : ActionKind.byName(a.name);
            if (kind == null || !ActionPhase.Running.name().equals(a.phase)) {
                continue;
            }
            Verdict v = overdue(a, kind, now) ? Verdict.fail("Timeout", "not done within "
                    + kind.rules().deadline().toSeconds() + " s: " + a.message)
                    : kind.rules().proceed(a, cluster);
            apply(a, v, now, events);
            if (v.phase() == ActionPhase.Running) {
                running = true;
                step = cluster.holdSteps() ? null : v.step();
            }
        }

        // Then the requests: new ones are acknowledged, an Accepted one starts when nothing runs.
        for (ActionRequest r : requests) {
            ActionStatus a = byName.get(r.kind().actionName());
            boolean known = a != null && r.requestId().equals(a.requestId);
            if (known && !ActionPhase.Accepted.name().equals(a.phase)) {
                continue; // acknowledged already: Running above, or finished
            }
            if (!known && a != null && ActionPhase.Running.name().equals(a.phase)) {
                continue; // a newer request of a running kind waits until that one finishes
            }
            if (!known) {
                a = new ActionStatus();
                a.name = r.kind().actionName();
                a.target = r.target();
                a.requestId = r.requestId();
                a.acceptedAt = now.toString();
                byName.put(a.name, a);
            }
            if (running) {
                a.phase = ActionPhase.Accepted.name();
                a.reason = "Waiting";
                a.message = "starts once the running action finishes";
                continue;
            }
            boolean blocked = cluster.blockedReason() != null && !(ROLLOUT_IN_PROGRESS.equals(cluster.blockedReason())
                    && r.kind().rules().startsDuringRollout());
            Verdict v = blocked
                    ? Verdict.refuse(cluster.blockedReason(), cluster.blockedMessage())
                    : r.kind().rules().start(r, cluster);
            apply(a, v, now, events);
            if (v.phase() == ActionPhase.Running) {
                running = true;
                step = v.step();
            }
        }

        // An Accepted request whose annotation is gone was withdrawn before it started.
        for (ActionStatus a : byName.values()) {
            if (a != null && ActionPhase.Accepted.name().equals(a.phase) && requests.stream()
                    .noneMatch(r -> r.kind().actionName().equals(a.name) && r.requestId().equals(a.requestId))) {
                apply(a, Verdict.refuse("Withdrawn", "the annotation was removed before the action started"), now,
                        events);
            }
        }

        List<ActionStatus> out = byName.values().stream().filter(a -> a != null).toList();
        return new Plan(out.isEmpty() ? null : out, events, step);
    }

    private static void apply(ActionStatus a, Verdict v, Instant now, List<EventToPublish> events) {
        String before = a.phase;
        a.phase = v.phase().name();
        a.reason = v.reason();
        a.message = v.message();
        if (v.target() != null) {
            a.target = v.target();
        }
        if (v.podUid() != null) {
            a.targetPodUid = v.podUid();
        }
        if (v.phase() == ActionPhase.Running && a.startedAt == null) {
            a.startedAt = now.toString();
        }
        if (v.phase().finished()) {
            a.finishedAt = now.toString();
        }
        if (a.phase.equals(before)) {
            return;
        }
        String what = a.name + " " + a.target + " (request " + a.requestId + ")";
        switch (v.phase()) {
            case Running -> events.add(EventToPublish.normal("ActionStarted", what + ": " + v.message()));
            case Done -> events.add(EventToPublish.normal("ActionDone", what + ": " + v.message()));
            case Refused -> events.add(EventToPublish.warning("ActionRefused", what + " refused (" + v.reason()
                    + "): " + v.message()));
            case Failed -> events.add(EventToPublish.warning("ActionFailed", what + " failed (" + v.reason()
                    + "): " + v.message()));
            default -> {
            }
        }
    }

    private static boolean overdue(ActionStatus a, ActionKind kind, Instant now) {
        try {
            return a.startedAt != null
                    && Duration.between(Instant.parse(a.startedAt), now).compareTo(kind.rules().deadline()) > 0;
        } catch (DateTimeParseException e) {
            return false;
        }
    }
}
