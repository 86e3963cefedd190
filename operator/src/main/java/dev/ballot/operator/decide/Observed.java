package dev.ballot.operator.decide;

import dev.ballot.operator.api.ActionStatus;
import dev.ballot.operator.api.ElectionClusterSpec;
import dev.ballot.operator.api.ElectionClusterStatus;
import dev.ballot.operator.desired.EffectiveSpec;
import dev.ballot.operator.members.MemberObservation;
import dev.ballot.operator.rollout.LeaderProgress;
import dev.ballot.operator.status.PodView;
import dev.ballot.operator.storage.ClaimView;
import dev.ballot.operator.storage.Expansion;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * One snapshot of everything a reconcile decides from, taken once at its start: the cluster (its spec, and that spec
 * with the defaults applied, once), its StatefulSet, pods, claims, the members' own reports, the previous status, the
 * clock reading and the operator's settings. Two facts are read lazily because reading them costs a call and only
 * some decisions need them: a StorageClass's expansion (only for a claim that must grow) and the leader's fresh
 * progress (only before a rollout step that costs a voter); each is read at most once per reconcile.
 *
 * @param effective               the spec with the CRD's defaults applied, built once; null without a spec
 * @param statefulSet             null when the StatefulSet does not exist
 * @param membersWatchedSince     when this operator process began watching the members (track), or null when it has
 *                                not yet: a member it has not heard from since is unknown, not unhealthy, for a while
 * @param claims                  the cluster's claims that are not being deleted
 * @param volumeBlockPublished    the VolumeResizeBlocked message this process last published for the cluster, or
 *                                null (a reconcile can start from a status older than the one it wrote)
 * @param annotations             the cluster's annotations (one-off actions are asked for there); never null
 * @param actionsWritten          the status.actions this process last computed for the cluster, or null: newer than
 *                                {@code previous.actions} when the reconcile starts from a status older than the one
 *                                it wrote, so a started action is never taken for a new one
 */
public record Observed(
        String name,
        String namespace,
        long generation,
        ElectionClusterSpec spec,
        EffectiveSpec effective,
        StatefulSetView statefulSet,
        Map<String, PodView> pods,
        Map<String, MemberObservation> members,
        Instant membersWatchedSince,
        List<ClaimView> claims,
        Function<String, Expansion> storageClass,
        Function<String, Optional<LeaderProgress>> leaderProgress,
        ElectionClusterStatus previous,
        String volumeBlockPublished,
        Settings settings,
        Instant now,
        Map<String, String> annotations,
        List<ActionStatus> actionsWritten) {

    public Observed {
        annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
    }

    /** A snapshot of a cluster without annotations. */
    public Observed(String name, String namespace, long generation, ElectionClusterSpec spec, EffectiveSpec effective,
                    StatefulSetView statefulSet, Map<String, PodView> pods, Map<String, MemberObservation> members,
                    Instant membersWatchedSince, List<ClaimView> claims, Function<String, Expansion> storageClass,
                    Function<String, Optional<LeaderProgress>> leaderProgress, ElectionClusterStatus previous,
                    String volumeBlockPublished, Settings settings, Instant now) {
        this(name, namespace, generation, spec, effective, statefulSet, pods, members, membersWatchedSince, claims,
                storageClass,
                leaderProgress, previous, volumeBlockPublished, settings, now, Map.of(), null);
    }

    /** The status.actions the decision starts from: what this process last computed, else the previous status's. */
    public List<ActionStatus> previousActions() {
        return actionsWritten != null ? actionsWritten : previous == null ? null : previous.actions;
    }

    /** The operator's settings that change decisions. */
    public record Settings(boolean rolloutExecute, Duration statusRefreshInterval) {
    }
}
