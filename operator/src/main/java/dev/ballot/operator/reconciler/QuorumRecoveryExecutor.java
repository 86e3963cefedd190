package dev.ballot.operator.reconciler;

import dev.ballot.nodeapi.ForceNewCluster;
import dev.ballot.nodeapi.NodeApiException;
import dev.ballot.operator.actions.ActionStep;
import dev.ballot.operator.api.ConsensusProtocol;
import dev.ballot.operator.api.ElectionCluster;
import dev.ballot.operator.api.RecoveryStatus;
import dev.ballot.operator.status.EventToPublish;
import dev.ballot.operator.status.RecoveryStatuses;
import java.io.IOException;
import java.time.Clock;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * The quorum-loss recovery's call ({@link ActionStep.Op#FORCE_NEW_CLUSTER}): asks the kept member to rebuild the
 * cluster from its data at its next start, then deletes its pod (uid-guarded, so at most once) so that it restarts.
 * Asking again with the same request id is harmless, so a repeated step costs nothing. The Warning Event says which
 * index is kept and that writes acknowledged after it may be lost; status.recovery keeps the same once the Event has
 * aged out.
 */
final class QuorumRecoveryExecutor {
    private static final Logger LOG = Logger.getLogger(QuorumRecoveryExecutor.class);
    private final RolloutExecutor rollout;
    private final Clock clock;

    QuorumRecoveryExecutor(RolloutExecutor rollout, Clock clock) {
        this.rollout = rollout;
        this.clock = clock;
    }

    /** What the call did: the Warning Event and the new status.recovery. */
    record Recovered(EventToPublish event, RecoveryStatus status) {
    }

    Optional<Recovered> execute(ElectionCluster cluster, ActionStep step) {
        ForceNewCluster.Result kept;
        try {
            kept = rollout.member(cluster, step.member()).forceNewCluster(new ForceNewCluster.Request(step.to()));
        } catch (NodeApiException e) {
            LOG.warnf("force-new-cluster on %s refused: %s", step.member(), e.getMessage());
            return Optional.empty();
        } catch (IOException e) {
            LOG.warnf("force-new-cluster on %s failed: %s", step.member(), e.getMessage());
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
        boolean restarted = rollout.deletePod(cluster, step.member(),
                pod -> step.podUid().equals(pod.getMetadata().getUid()));
        if (!restarted) {
            return Optional.empty();
        }
        boolean zab = cluster.getSpec().protocol == ConsensusProtocol.Zab;
        return Optional.of(new Recovered(EventToPublish.warning("QuorumRecovery", "rebuilding the cluster from "
                + step.member() + " (recover-quorum-from, request " + step.to() + "): it keeps its log up to index "
                + kept.lastIndex() + " (term/epoch " + kept.term() + ") and restarts as a configuration of itself"
                + " alone; " + RecoveryStatuses.mayHaveLost(kept.lastIndex(), zab) + "; the other members are added"
                + " again empty"), RecoveryStatuses.of(step.member(), step.to(), kept.lastIndex(), kept.term(), zab,
                clock.instant())));
    }
}
