package dev.ballot.operator.decide;

import dev.ballot.operator.actions.ActionPlanner;
import dev.ballot.operator.actions.ActionRequest;
import dev.ballot.operator.actions.ClusterView;
import dev.ballot.operator.api.ElectionClusterStatus;
import dev.ballot.operator.api.MemberStatus;
import dev.ballot.operator.api.RolloutStatus;
import dev.ballot.operator.api.UpdateStrategy;
import dev.ballot.operator.desired.ClientEndpoints;
import dev.ballot.operator.desired.DesiredChildren;
import dev.ballot.operator.desired.EffectiveSpec;
import dev.ballot.operator.desired.MemberEndpoint;
import dev.ballot.operator.desired.Names;
import dev.ballot.operator.desired.SpecValidator;
import dev.ballot.operator.members.MemberObservation;
import dev.ballot.operator.rollout.LeaderProgress;
import dev.ballot.operator.rollout.RolloutPlanner;
import dev.ballot.operator.desired.MemberLayout;
import dev.ballot.operator.progress.ProgressDeadline;
import dev.ballot.operator.replace.Bootstrapped;
import dev.ballot.operator.replace.Replacement;
import dev.ballot.operator.replace.ReplacementPlanner;
import dev.ballot.operator.replace.ReplacementStatus;
import dev.ballot.operator.scale.ScaleObservation;
import dev.ballot.operator.scale.ScaleObservations;
import dev.ballot.operator.scale.ScaleOutcome;
import dev.ballot.operator.scale.ScalePlanner;
import dev.ballot.operator.scale.ScaleStatus;
import dev.ballot.operator.status.EventToPublish;
import dev.ballot.operator.status.StatusBuilder;
import dev.ballot.operator.status.StatusConditions;
import dev.ballot.operator.status.WorkloadView;
import dev.ballot.operator.step.Step;
import dev.ballot.operator.storage.ClaimView;
import dev.ballot.operator.storage.VolumeGrowth;
import dev.ballot.operator.storage.VolumePlanner;
import dev.ballot.operator.storage.VolumeStatus;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Every decision of a reconcile, from one {@link Observed} snapshot. Pure: the only inputs are the snapshot, the
 * StatefulSet's status once the children are applied, and what the executors report. In three steps, because
 * applying the children and acting change what the status must say in the same reconcile:
 * <ol>
 *   <li>{@link #intend}: is the spec valid (the CEL rules again, the immutable fields against the StatefulSet), the
 *   scale planner's layout, and the desired children, built once;</li>
 *   <li>{@link #decide}, once those children are applied: the whole status, its Events, the next rollout, scale and
 *   volume steps, and when to look again;</li>
 *   <li>{@link #settle}, once the executors acted: the API server's refusals of a volume growth in the status, the
 *   executors' Events, and the Events not to publish again.</li>
 * </ol>
 */
public final class ClusterDecider {
    /** While scaling, look again this often: catch-up progress does not trigger reconciles by itself. */
    static final Duration SCALING_RECHECK = Duration.ofSeconds(1);
    /** While a rollout is in progress look again this often: lag and transfers raise no event. */
    static final Duration ROLLOUT_RECHECK = Duration.ofSeconds(1);
    /**
     * After the leader's fresh progress held a step back (a new leader learns its followers' match indexes within a
     * heartbeat; a restarted follower catches up in milliseconds on a fast link), look again sooner.
     */
    static final Duration RECHECK_HELD_BACK = Duration.ofMillis(250);
    /**
     * While a reachable member is more than {@link ClusterView#CAUGHT_UP_LAG} behind, look again this often: its
     * catching up raises no event, and status.members[].lag is what users and tools (kubectl ballot, the restart
     * gate's readers) wait on; without it the lag shown stayed as old as the 30 s refresh.
     */
    static final Duration CATCH_UP_RECHECK = Duration.ofSeconds(2);

    private ClusterDecider() {
    }

    /** Step 1: the spec's problems, or the children to apply for the layout the scale planner chose. */
    public static Intent intend(Observed o) {
        List<String> problems = new ArrayList<>(SpecValidator.problems(o.name(), o.spec(), o.effective()));
        if (problems.isEmpty()) {
            problems.addAll(ImmutableFields.problems(o.effective(), o.statefulSet()));
        }
        if (!problems.isEmpty()) {
            return new Intent(problems, null, null);
        }
        StatefulSetView sts = o.statefulSet();
        ScaleObservation observed = ScaleObservations.of(o.name(), o.effective(),
                sts == null ? null : sts.replicas(), sts == null ? null : sts.votersAnnotation(),
                sts == null ? null : sts.workload().updateRevision(), o.pods(), o.members());
        Replacement replacement = ReplacementPlanner.plan(observed, needsReplacement(o));
        // A replacement goes first (it restores a voter); scaling waits for it, on the layout the cluster has.
        ScaleOutcome scale = replacement.active() ? heldFor(observed, replacement) : ScalePlanner.plan(observed);
        boolean bootstrapped = Bootstrapped.of(sts == null ? null : sts.initialClusterState(), o.members().values());
        return new Intent(List.of(), new DesiredChildren(o.name(), o.namespace(), o.effective(), scale.layout(),
                bootstrapped), scale, replacement);
    }

    /**
     * The members that report they need replacing, and those the previous status showed so that do not answer now
     * (a missed poll must not end a replacement, announce it twice, or call it done).
     */
    private static Set<String> needsReplacement(Observed o) {
        Set<String> out = o.members().values().stream().filter(m -> m.isReachable() && m.status().needsReplacing())
                .map(MemberObservation::name).collect(Collectors.toCollection(java.util.HashSet::new));
        if (o.previous() != null && o.previous().members != null) {
            o.previous().members.stream().filter(m -> Boolean.TRUE.equals(m.needsReplacement))
                    .filter(m -> o.members().get(m.name) == null || !o.members().get(m.name).isReachable())
                    .forEach(m -> out.add(m.name));
        }
        return out;
    }

    /** The pods and voters the StatefulSet has, with a rejoining member listed as a non-voter in its slot. */
    private static ScaleOutcome heldFor(ScaleObservation o, Replacement replacement) {
        int replicas = o.statefulSetReplicas();
        int recorded = o.recordedVoters() != null ? o.recordedVoters() : Math.max(0, replicas - o.nonVoters());
        MemberLayout layout = new MemberLayout(replicas, Math.min(recorded, replicas));
        if (replacement.rejoining()) {
            layout = layout.rejoin(Integer.parseInt(replacement.target().substring(o.cluster().length() + 1)));
        }
        return new ScaleOutcome(layout, Step.NONE);
    }

    /**
     * Step 2: the status, its Events and the next steps, with {@code workload} the StatefulSet as it stands once the
     * children were applied (a created or changed StatefulSet is not rolled out yet).
     */
    public static ClusterDecision decide(Observed o, Intent intent, WorkloadView workload) {
        EffectiveSpec spec = intent.valid() ? o.effective() : null;
        boolean acting = spec != null && !spec.paused();
        List<MemberEndpoint> current = spec == null ? List.of()
                : DesiredChildren.members(o.name(), o.namespace(), intent.scale().current());
        StatusBuilder.Report report = StatusBuilder.build(new StatusBuilder.Inputs(o.name(), o.generation(), spec,
                intent.problems(), SpecValidator.warnings(o.effective()),
                // Quorum as the leader counts it now: its latest configuration, committed or not.
                current, workload, o.pods(), spec == null ? o.members() : watched(o, intent.children()),
                o.membersWatchedSince(), o.previous(), Names.selector(o.name()), o.now()));
        ElectionClusterStatus status = report.status();
        if (spec != null) {
            status.endpoints = ClientEndpoints.of(o.name(), o.namespace(), spec.protocol(), current, spec.tls());
        }
        List<EventToPublish> events = new ArrayList<>(report.events());
        List<Condition> before = previousConditions(o);

        boolean scaling = acting && intent.scale().scaling();
        if (scaling) {
            ScaleStatus.apply(status, intent.scale().step(), before, o.now()).ifPresent(events::add);
        }
        Step planned = report.rollout();
        Step rollout = Step.NONE;
        String revision = null;
        boolean costsAction = planned.kind() == Step.Kind.RESTART || planned.kind() == Step.Kind.TRANSFER_LEADERSHIP;
        if (acting && o.settings().rolloutExecute() && costsAction) {
            Step confirmed = confirm(o, planned, status);
            if (confirmed.kind() == Step.Kind.WAIT) {
                status.rollout = new RolloutStatus(confirmed.step(), confirmed.blockedBy());
            } else {
                rollout = confirmed;
                revision = revisionSeen(status, confirmed.target());
            }
        }
        Replacement replacement = acting ? intent.replacement() : Replacement.NONE;
        if (spec != null) {
            events.addAll(ReplacementStatus.apply(status, replacement, o.members(), before, o.now()));
        }
        ScaleOutcome replacing = replacement.step().acts()
                ? new ScaleOutcome(intent.scale().layout(), replacement.step()) : null;
        String replacingRevision = replacing == null ? null : revisionSeen(status, replacement.target());
        if (acting) {
            ProgressDeadline.apply(status, o.previous(), ProgressDeadline.of(o.spec().progressDeadlineSeconds),
                    o.now()).ifPresent(events::add);
        }
        if (StatusConditions.isTrue(status.conditions, StatusConditions.STALLED)) {
            events.removeIf(e -> "Unstalled".equals(e.reason()));
        }
        VolumeGrowth volumes = acting ? volumeGrowth(o, intent.children()) : null;
        boolean settled = StatusConditions.isTrue(status.conditions, StatusConditions.READY);

        // One-off actions (annotations): they start only when no rollout or scaling is pending, and while one runs
        // the rollout and scaling wait, so the two never cost a voter each at the same time.
        ActionPlanner.Plan actions = ActionPlanner.plan(ActionRequest.fromAnnotations(o.annotations()),
                o.previousActions(), actionView(o, spec, status, scaling, intent),
                o.now());
        status.actions = actions.actions();
        events.addAll(actions.events());
        if (actions.busy()) {
            String running = actions.running();
            if (rollout.acts() || scaling) {
                status.rollout = new RolloutStatus(status.rollout == null ? "" : status.rollout.step,
                        "waiting for the action " + (running == null ? "requested" : running) + " to finish");
            }
            rollout = Step.NONE;
            scaling = false;
        }

        Duration recheck = rolloutRecheck(planned, status, spec).orElse(o.settings().statusRefreshInterval());
        if (actions.busy() && ROLLOUT_RECHECK.compareTo(recheck) < 0) {
            recheck = ROLLOUT_RECHECK; // a transfer answered or a pod back raise no event on the cluster
        }
        boolean progressing = scaling && intent.scale().step().kind() != Step.Kind.BLOCKED || replacement.active();
        return new ClusterDecision(status, events, scaling ? intent.scale() : null, status.leader, rollout, revision,
                volumes, settled, progressing && SCALING_RECHECK.compareTo(recheck) < 0 ? SCALING_RECHECK : recheck,
                actions.step(), replacing, replacingRevision);
    }

    /**
     * Step 3: the status and Events once the executors acted. {@code acted}: the Events of what they did, in order;
     * {@code grown}: the volume growth as the API server took it (a refused claim is BLOCKED), or null when no
     * growth was carried out.
     */
    public static ClusterDecision.Final settle(Observed o, ClusterDecision d, List<EventToPublish> acted,
                                               VolumeGrowth grown) {
        ElectionClusterStatus status = d.status();
        List<EventToPublish> events = new ArrayList<>(d.events());
        events.addAll(acted);
        String published = o.volumeBlockPublished();
        if (d.volumes() != null) {
            if (d.volumes().converged()) {
                published = null;
            } else {
                Optional<EventToPublish> blocked = VolumeStatus.apply(status, grown, previousConditions(o), o.now());
                if (blocked.isPresent()) {
                    // A reconcile can start from a status older than the one it wrote: publish a block once.
                    if (!blocked.get().message().equals(published)) {
                        events.add(blocked.get());
                    }
                    published = blocked.get().message();
                }
                if (!grown.blocked()) {
                    published = null;
                }
                if (StatusConditions.isTrue(status.conditions, StatusConditions.STALLED)) {
                    events.removeIf(e -> "Unstalled".equals(e.reason()));
                }
            }
        }
        boolean changed = o.previous() == null ? status != null
                : !Objects.equals(Serialization.asJson(o.previous()), Serialization.asJson(status));
        return new ClusterDecision.Final(status, changed, events, d.recheck(), published);
    }

    /**
     * The status after a reconcile failed: Reconciling True with reason Retrying and the root cause; every other
     * condition as it was.
     */
    public static ElectionClusterStatus failed(ElectionClusterStatus previous, long generation, String cause,
                                               Instant now) {
        ElectionClusterStatus status = previous == null ? new ElectionClusterStatus() : Serialization.clone(previous);
        List<Condition> next = new ArrayList<>();
        for (String type : StatusConditions.TYPES) {
            Condition old = StatusConditions.find(status.conditions, type);
            if (StatusConditions.RECONCILING.equals(type)) {
                next.add(StatusConditions.condition(type, true, generation, "Retrying",
                        "reconcile failed and will be retried: " + cause));
            } else if (old != null) {
                next.add(old);
            }
        }
        status.conditions = StatusConditions.withTransitionTimes(status.conditions, next, now);
        return status;
    }

    /** What the action gates read: this reconcile's members, pods and leader, and why no action may start now. */
    private static ClusterView actionView(Observed o, EffectiveSpec spec, ElectionClusterStatus status,
                                          boolean scaling, Intent intent) {
        String reason = null;
        String message = null;
        if (spec == null) {
            reason = "InvalidSpec";
            message = "the spec is invalid (see the Stalled condition): the operator changes nothing";
        } else if (spec.paused()) {
            reason = "Paused";
            message = "spec.paused is true: the operator changes nothing";
        } else if (scaling) {
            reason = "RolloutInProgress";
            message = "scaling is in progress (" + intent.scale().step().step() + "); ask again once it is done";
        } else if (spec.updateType() != UpdateStrategy.Type.Manual && status.rollout != null
                && status.rollout.step != null && !status.rollout.step.isEmpty()) {
            // (With updateType Manual the operator rolls nothing itself: restart-member is how a human rolls.)
            reason = "RolloutInProgress";
            message = "a rolling update is in progress (next: " + status.rollout.step + "); ask again once it is"
                    + " done";
        }
        Replacement replacement = intent.replacement();
        ClusterView.Replacing replacing = replacement == null || !replacement.active() ? null
                : new ClusterView.Replacing(replacement.target(), replacement.step().step()
                        + (replacement.step().blockedBy().isEmpty() ? "" : " (" + replacement.step().blockedBy() + ")"));
        return new ClusterView(status.leader, status.term, status.members, o.pods(), reason, message,
                spec == null || spec.paused(), intent.children() != null && intent.children().bootstrapped(),
                replacing);
    }

    /** The members' reports for the members the children list (the others are no longer watched). */
    private static Map<String, MemberObservation> watched(Observed o, DesiredChildren children) {
        Set<String> names = children.members().stream().map(MemberEndpoint::name).collect(Collectors.toSet());
        Map<String, MemberObservation> out = new HashMap<>();
        o.members().forEach((name, obs) -> {
            if (names.contains(name)) {
                out.put(name, obs);
            }
        });
        return out;
    }

    /**
     * The planned step after a fresh read of the leader's progress, for steps that cost a voter (see
     * {@link RolloutPlanner#confirm}); the read is skipped for a non-voter and a single voter.
     */
    private static Step confirm(Observed o, Step planned, ElectionClusterStatus status) {
        Set<String> voters = status.members == null ? Set.of() : status.members.stream()
                .filter(m -> Boolean.TRUE.equals(m.voter)).map((MemberStatus m) -> m.name).collect(Collectors.toSet());
        if (!voters.contains(planned.target()) || voters.size() == 1) {
            return planned;
        }
        Optional<LeaderProgress> fresh = status.leader == null || status.leader.isEmpty() ? Optional.empty()
                : o.leaderProgress().apply(status.leader);
        return RolloutPlanner.confirm(planned, voters, status.leader, fresh);
    }

    private static String revisionSeen(ElectionClusterStatus status, String member) {
        return status.members == null ? null : status.members.stream().filter(m -> member.equals(m.name))
                .map(m -> m.revision).filter(Objects::nonNull).findFirst().orElse(null);
    }

    /**
     * How soon to reconcile again: a rollout, or an election, moves on things that raise no Kubernetes event
     * (replication catching up, a transfer answered, the election grace or the not-heard grace running out). Empty:
     * the usual refresh.
     */
    private static Optional<Duration> rolloutRecheck(Step planned, ElectionClusterStatus status, EffectiveSpec spec) {
        boolean heldBack = (planned.kind() == Step.Kind.RESTART || planned.kind() == Step.Kind.TRANSFER_LEADERSHIP)
                && status.rollout != null && !status.rollout.blockedBy.isEmpty();
        if (heldBack) {
            return Optional.of(RECHECK_HELD_BACK);
        }
        boolean rolling = planned.kind() != Step.Kind.NONE && spec != null && !spec.paused()
                && spec.updateType() != UpdateStrategy.Type.Manual;
        boolean electing = "Electing".equals(StatusConditions.reasonOf(status.conditions, StatusConditions.DEGRADED));
        // A member not heard from yet answers within a request timeout; its first report triggers a reconcile, this
        // look makes sure the quorum is judged once the not-heard grace is over even if none arrives.
        boolean notHeard = status.members != null && status.members.stream().anyMatch(m -> m.reachable == null);
        if (rolling || electing || notHeard) {
            return Optional.of(ROLLOUT_RECHECK);
        }
        boolean catchingUp = status.members != null && status.members.stream().anyMatch(m ->
                Boolean.TRUE.equals(m.reachable) && m.lag != null && m.lag > ClusterView.CAUGHT_UP_LAG);
        return catchingUp ? Optional.of(CATCH_UP_RECHECK) : Optional.empty();
    }

    /** spec.storage.size against the current members' claims and the StatefulSet's claim template. */
    private static VolumeGrowth volumeGrowth(Observed o, DesiredChildren children) {
        StatefulSetView sts = o.statefulSet();
        StatefulSetView.ClaimTemplate template = sts == null ? null : sts.claimTemplate();
        String templateName = template == null || template.name() == null ? "data" : template.name();
        Map<String, ClaimView> byName = new HashMap<>();
        o.claims().forEach(c -> byName.put(c.name(), c));
        List<ClaimView> claims = new ArrayList<>();
        for (MemberEndpoint m : children.members()) {
            ClaimView claim = byName.get(ClaimView.nameFor(templateName, m.name()));
            if (claim != null) {
                claims.add(claim);
            }
        }
        return VolumePlanner.plan(o.effective().storageSize(),
                template == null || sts.deleting() ? null : template.size(), claims, o.storageClass());
    }

    private static List<Condition> previousConditions(Observed o) {
        return o.previous() == null ? null : o.previous().conditions;
    }
}
