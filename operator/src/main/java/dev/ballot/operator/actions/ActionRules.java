package dev.ballot.operator.actions;

import dev.ballot.operator.api.ActionStatus;
import java.time.Duration;

/**
 * The pure decisions of one action kind. The planner ({@link ActionPlanner}) asks {@link #start} once a request may
 * run (nothing else runs, the cluster is neither paused nor rolling out), then {@link #proceed} on every reconcile
 * until it is Done or Failed. Both read only the {@link ClusterView}; every call they want is an {@link ActionStep},
 * which the executor makes at most once however often it is asked.
 */
public interface ActionRules {
    /** Refused (nothing done), Done (nothing to do), or Running with the first step. */
    Verdict start(ActionRequest request, ClusterView cluster);

    /** For a Running action: Done, Failed, or Running with the next step (or none while waiting). */
    Verdict proceed(ActionStatus running, ClusterView cluster);

    /**
     * True for an action that repairs what a rollout or replacement waits on (quorum-loss recovery): it starts while
     * one is pending. Paused or invalid specs still refuse it.
     */
    default boolean startsDuringRollout() {
        return false;
    }

    /** How long an action may run before it is Failed. */
    Duration deadline();
}
