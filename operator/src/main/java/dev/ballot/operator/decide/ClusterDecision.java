package dev.ballot.operator.decide;

import dev.ballot.operator.actions.ActionStep;
import dev.ballot.operator.api.ElectionClusterStatus;
import dev.ballot.operator.scale.ScaleOutcome;
import dev.ballot.operator.status.EventToPublish;
import dev.ballot.operator.step.Step;
import dev.ballot.operator.storage.VolumeGrowth;
import java.time.Duration;
import java.util.List;

/**
 * What {@link ClusterDecider#decide} decided once the children were applied: the whole status, the Events, the steps
 * the executors carry out, and when to look again.
 *
 * @param scale           the scale step to carry out, or null when not scaling (or paused, or invalid)
 * @param leader          the leading member's name, or null: where membership and transfer calls go
 * @param rollout         the confirmed rollout step to carry out ({@link Step#NONE} when none)
 * @param rolloutRevision the revision the rollout saw on its target pod (a pod of another revision is its
 *                        replacement and is left alone)
 * @param volumes         the volume growth to carry out, or null when converged (or paused, or invalid)
 * @param settled         the cluster is Ready: the StatefulSet may be replaced for a larger claim template
 * @param action          the executor call of the one-off action in progress (status.actions), or null
 * @param replacement     the replacement step to carry out (membership calls as scaling's, RESTART as a rollout's,
 *                        with {@code replacementRevision} the revision seen on the pod), or null when none acts
 */
public record ClusterDecision(ElectionClusterStatus status, List<EventToPublish> events, ScaleOutcome scale,
                              String leader, Step rollout, String rolloutRevision, VolumeGrowth volumes,
                              boolean settled, Duration recheck, ActionStep action, ScaleOutcome replacement,
                              String replacementRevision) {
    public ClusterDecision {
        events = List.copyOf(events);
    }

    /**
     * The reconcile's end: the status to write (once, if it changed), the Events to publish, when to look again,
     * and the VolumeResizeBlocked message now published for the cluster (null: none).
     */
    public record Final(ElectionClusterStatus status, boolean statusChanged, List<EventToPublish> events,
                        Duration recheck, String volumeBlockPublished) {
        public Final {
            events = List.copyOf(events);
        }
    }
}
