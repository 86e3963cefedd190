package dev.ballot.operator.reconciler;

import dev.ballot.operator.api.ElectionCluster;
import dev.ballot.operator.api.ElectionClusterStatus;
import dev.ballot.operator.members.MemberStatusEventSource;
import dev.ballot.operator.desired.DesiredChildren;
import dev.ballot.operator.desired.EffectiveSpec;
import dev.ballot.operator.desired.MemberLayout;
import dev.ballot.operator.desired.Names;
import dev.ballot.operator.desired.SpecValidator;
import dev.ballot.operator.scale.ScaleObservations;
import dev.ballot.operator.scale.ScaleOutcome;
import dev.ballot.operator.scale.ScalePlanner;
import dev.ballot.operator.scale.ScaleStatus;
import dev.ballot.operator.status.EventToPublish;
import dev.ballot.operator.status.PodView;
import dev.ballot.operator.status.StatusBuilder;
import dev.ballot.operator.status.StatusConditions;
import dev.ballot.operator.status.WorkloadView;
import dev.ballot.operator.storage.VolumeGrowth;
import dev.ballot.operator.storage.VolumeStatus;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.Workflow;
import io.javaoperatorsdk.operator.api.reconciler.dependent.Dependent;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.quarkiverse.operatorsdk.annotations.AdditionalRBACRules;
import io.quarkiverse.operatorsdk.annotations.RBACRule;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * Reconciles an ElectionCluster: validates the spec, applies the children through the managed workflow (unless
 * paused or invalid), watches the members over HTTP, and writes a status computed by {@link StatusBuilder}.
 */
@Workflow(explicitInvocation = true, dependents = {
    @Dependent(name = "config", type = ConfigMapDependent.class),
    @Dependent(name = "peer-service", type = PeerServiceDependent.class),
    @Dependent(name = "client-service", type = ClientServiceDependent.class),
    @Dependent(name = "statefulset", type = StatefulSetDependent.class, dependsOn = {"config", "peer-service"}),
    @Dependent(name = "pdb", type = PodDisruptionBudgetDependent.class)})
@ControllerConfiguration(name = ElectionClusterReconciler.NAME)
@AdditionalRBACRules({
    @RBACRule(apiGroups = "", resources = "pods", verbs = {"get", "list", "watch", "delete"}),
    @RBACRule(apiGroups = "", resources = "persistentvolumeclaims", verbs = {"get", "list", "watch", "patch"}),
    @RBACRule(apiGroups = "storage.k8s.io", resources = "storageclasses", verbs = {"get", "list", "watch"}),
    @RBACRule(apiGroups = "", resources = "events", verbs = {"create", "patch"}),
    @RBACRule(apiGroups = "coordination.k8s.io", resources = "leases", verbs = {"get", "create", "update"})})
public class ElectionClusterReconciler implements Reconciler<ElectionCluster> {
    public static final String NAME = "electioncluster";
    private static final Logger LOG = Logger.getLogger(ElectionClusterReconciler.class);
    private static final Set<String> POD_PROBLEMS = Set.of("ErrImagePull", "ImagePullBackOff", "InvalidImageName",
            "CreateContainerConfigError", "CreateContainerError");

    private final OperatorSettings settings;
    private final KubernetesClient client;
    private final RolloutExecutor rollout;
    private final ScaleExecutor scale;
    private final VolumeResizer volumes;
    private volatile MemberStatusEventSource members;

    public ElectionClusterReconciler(OperatorSettings settings, KubernetesClient client) {
        this.settings = settings;
        this.client = client;
        this.rollout = new RolloutExecutor(client, settings);
        this.scale = new ScaleExecutor(client, settings);
        this.volumes = new VolumeResizer(client);
    }

    /** Key of the scale planner's layout in the workflow context, for the dependents. */
    static final String LAYOUT_KEY = "ballot.dev/layout";
    /** Reconcile this often while scaling: catch-up progress does not trigger reconciles by itself. */
    static final java.time.Duration SCALING_RECHECK = java.time.Duration.ofSeconds(1);

    /** The plan the dependents apply: the spec, with the pods and voters the scale planner chose this reconcile. */
    static DesiredChildren plan(ElectionCluster cluster, Context<ElectionCluster> context) {
        return context.managedWorkflowAndDependentResourceContext().get(LAYOUT_KEY, MemberLayout.class)
                .map(layout -> DesiredChildren.of(cluster, layout)).orElseGet(() -> DesiredChildren.of(cluster));
    }

    /** The member watcher, for tests. */
    MemberStatusEventSource memberWatcher() {
        return members;
    }

    @Override
    public List<EventSource<?, ElectionCluster>> prepareEventSources(EventSourceContext<ElectionCluster> context) {
        members = new MemberStatusEventSource(new MemberStatusEventSource.MemberWatchSettings(
                settings.memberUrlTemplate(), settings.memberPollInterval(), settings.memberRequestTimeout(),
                settings.memberStreamStaleAfter()));
        InformerEventSource<Pod, ElectionCluster> pods = new InformerEventSource<>(
                InformerEventSourceConfiguration.from(Pod.class, ElectionCluster.class)
                        .withName("pods")
                        .withLabelSelector(Names.MANAGED_SELECTOR)
                        .withSecondaryToPrimaryMapper(pod -> {
                            String cluster = pod.getMetadata().getLabels() == null ? null
                                    : pod.getMetadata().getLabels().get(Names.LABEL_INSTANCE);
                            return cluster == null ? Set.of()
                                    : Set.of(new ResourceID(cluster, pod.getMetadata().getNamespace()));
                        })
                        .build(), context);
        return List.of(members, pods, claimsEventSource(context));
    }

    @Override
    public UpdateControl<ElectionCluster> reconcile(ElectionCluster cluster, Context<ElectionCluster> context) {
        ResourceID id = ResourceID.fromResource(cluster);
        String name = cluster.getMetadata().getName();
        Optional<StatefulSet> sts = context.getSecondaryResource(StatefulSet.class);

        List<String> problems = new ArrayList<>(SpecValidator.problems(name, cluster.getSpec()));
        if (problems.isEmpty()) {
            problems.addAll(immutableFieldProblems(cluster, sts));
        }
        EffectiveSpec spec = problems.isEmpty() ? EffectiveSpec.of(cluster.getSpec()) : null;
        Map<String, PodView> pods = new HashMap<>();
        context.getSecondaryResources(Pod.class).forEach(p -> pods.put(p.getMetadata().getName(), podView(p)));
        ScaleOutcome scalePlan = spec == null ? null : ScalePlanner.plan(ScaleObservations.of(name, spec,
                sts.map(s -> s.getSpec() == null ? null : s.getSpec().getReplicas()).orElse(null),
                sts.map(s -> s.getMetadata().getAnnotations() == null ? null
                        : s.getMetadata().getAnnotations().get(DesiredChildren.VOTERS_ANNOTATION)).orElse(null),
                sts.map(s -> s.getStatus() == null ? null : s.getStatus().getUpdateRevision()).orElse(null),
                pods, members.observations(id)));
        DesiredChildren plan = spec == null ? null : DesiredChildren.of(cluster, scalePlan.layout());

        if (plan != null) {
            context.managedWorkflowAndDependentResourceContext().put(LAYOUT_KEY, plan.layout());
            if (!spec.paused()) {
                context.managedWorkflowAndDependentResourceContext().reconcileManagedWorkflow();
                sts = context.getSecondaryResource(StatefulSet.class);
            }
            members.track(id, cluster.getMetadata().getUid(), plan.members());
        }

        StatusBuilder.Report report = StatusBuilder.build(new StatusBuilder.Observed(
                name,
                Optional.ofNullable(cluster.getMetadata().getGeneration()).orElse(0L),
                spec,
                problems,
                SpecValidator.warnings(cluster.getSpec()),
                // Quorum as the leader counts it now: its latest configuration, committed or not.
                plan == null ? List.of() : DesiredChildren.of(cluster, scalePlan.current()).members(),
                sts.map(ElectionClusterReconciler::workloadView).orElse(WorkloadView.MISSING),
                pods,
                members.observations(id),
                cluster.getStatus(),
                Names.selector(name),
                Instant.now()));

        List<EventToPublish> events = new ArrayList<>(report.events());
        boolean scaling = scalePlan != null && !spec.paused() && scalePlan.scaling();
        if (scaling) {
            ScaleStatus.apply(report.status(), scalePlan.step(),
                    cluster.getStatus() == null ? null : cluster.getStatus().conditions, Instant.now())
                    .ifPresent(events::add);
            scale.execute(cluster, scalePlan, report.status().leader).ifPresent(events::add);
        }
        if (spec != null && !spec.paused() && settings.rolloutExecute()) {
            rollout.execute(cluster, report.rollout(), report.status()).ifPresent(events::add);
        }
        if (spec != null && !spec.paused()) {
            growVolumes(cluster, spec, plan, sts, report, context, events);
        }
        events.forEach(d -> EventRecorder.record(client, cluster, d));

        UpdateControl<ElectionCluster> control = sameStatus(cluster.getStatus(), report.status())
                ? UpdateControl.noUpdate()
                : UpdateControl.patchStatus(statusPatch(cluster, report.status(), context));
        boolean progressing = scaling && scalePlan.step().kind() != dev.ballot.operator.scale.ScaleStep.Kind.BLOCKED;
        java.time.Duration recheck = rollout.recheckAfter(report, spec).orElse(settings.statusRefreshInterval());
        return control.rescheduleAfter(progressing && SCALING_RECHECK.compareTo(recheck) < 0 ? SCALING_RECHECK
                : recheck);
    }

    @Override
    public ErrorStatusUpdateControl<ElectionCluster> updateErrorStatus(ElectionCluster cluster,
                                                                       Context<ElectionCluster> context,
                                                                       Exception e) {
        LOG.warnf(e, "reconcile of %s/%s failed", cluster.getMetadata().getNamespace(),
                cluster.getMetadata().getName());
        ElectionClusterStatus status = cluster.getStatus() == null ? new ElectionClusterStatus()
                : Serialization.clone(cluster.getStatus());
        long gen = Optional.ofNullable(cluster.getMetadata().getGeneration()).orElse(0L);
        List<io.fabric8.kubernetes.api.model.Condition> next = new ArrayList<>();
        for (String type : StatusConditions.TYPES) {
            var old = StatusConditions.find(status.conditions, type);
            if (StatusConditions.RECONCILING.equals(type)) {
                next.add(StatusConditions.condition(type, true, gen, "Retrying",
                        "reconcile failed and will be retried: " + rootMessage(e)));
            } else if (old != null) {
                next.add(old);
            }
        }
        status.conditions = StatusConditions.withTransitionTimes(status.conditions, next, Instant.now());
        return ErrorStatusUpdateControl.patchStatus(statusPatch(cluster, status, context));
    }

    /** The members' claims (labelled from the claim template), so resize progress triggers a reconcile. */
    private static InformerEventSource<PersistentVolumeClaim, ElectionCluster> claimsEventSource(
            EventSourceContext<ElectionCluster> context) {
        return new InformerEventSource<>(
                InformerEventSourceConfiguration.from(PersistentVolumeClaim.class, ElectionCluster.class)
                        .withName("claims")
                        .withLabelSelector(Names.MANAGED_SELECTOR)
                        .withSecondaryToPrimaryMapper(pvc -> {
                            String cluster = pvc.getMetadata().getLabels() == null ? null
                                    : pvc.getMetadata().getLabels().get(Names.LABEL_INSTANCE);
                            return cluster == null ? Set.of()
                                    : Set.of(new ResourceID(cluster, pvc.getMetadata().getNamespace()));
                        })
                        .build(), context);
    }

    /** spec.storage.size on the members' claims and the StatefulSet's claim template (see {@link VolumeResizer}). */
    private void growVolumes(ElectionCluster cluster, EffectiveSpec spec, DesiredChildren plan,
                             Optional<StatefulSet> sts, StatusBuilder.Report report, Context<ElectionCluster> context,
                             List<EventToPublish> events) {
        VolumeGrowth wanted = volumes.plan(spec.storageSize(), plan.members(), sts,
                context.getSecondaryResources(PersistentVolumeClaim.class));
        if (wanted.converged()) {
            volumes.unblocked(cluster);
            return;
        }
        // Ready before the volumes' own mark: no rollout or scaling needs the StatefulSet while it is replaced.
        boolean settled = StatusConditions.isTrue(report.status().conditions, StatusConditions.READY);
        VolumeResizer.Result done = volumes.execute(cluster, wanted, sts, settled);
        events.addAll(done.events());
        VolumeStatus.apply(report.status(), done.plan(), cluster.getStatus() == null ? null
                : cluster.getStatus().conditions, Instant.now())
                .filter(d -> volumes.firstReportOfBlock(cluster, d.message()))
                .ifPresent(events::add);
        if (!done.plan().blocked()) {
            volumes.unblocked(cluster);
        }
        if (StatusConditions.isTrue(report.status().conditions, StatusConditions.STALLED)) {
            events.removeIf(d -> "Unstalled".equals(d.reason()));
        }
    }

    /** Checks the API server's CEL transition rules would make, for servers or CRDs without them. */
    private static List<String> immutableFieldProblems(ElectionCluster cluster, Optional<StatefulSet> sts) {
        List<String> problems = new ArrayList<>();
        if (sts.isEmpty() || sts.get().getSpec() == null) {
            return problems;
        }
        EffectiveSpec spec = EffectiveSpec.of(cluster.getSpec());
        DesiredChildren plan = DesiredChildren.of(cluster);
        var containers = sts.get().getSpec().getTemplate().getSpec().getContainers();
        if (!containers.isEmpty() && containers.get(0).getArgs() != null
                && !containers.get(0).getArgs().contains(plan.nodeConfig().path())) {
            problems.add("spec.protocol is immutable (the members run " + containers.get(0).getArgs()
                    + "): restore the old protocol, or create a new ElectionCluster");
        }
        List<PersistentVolumeClaim> claims = sts.get().getSpec().getVolumeClaimTemplates();
        if (claims != null && !claims.isEmpty() && claims.get(0).getSpec() != null) {
            var spec0 = claims.get(0).getSpec();
            Quantity actual = spec0.getResources() == null || spec0.getResources().getRequests() == null ? null
                    : spec0.getResources().getRequests().get("storage");
            if (actual != null && SpecValidator.shrinks(actual.toString(), spec.storageSize())) {
                problems.add("spec.storage.size " + spec.storageSize() + " is smaller than the volumes' " + actual
                        + ": volumes never shrink; set it back to at least " + actual);
            }
            if (!Objects.equals(spec0.getStorageClassName(), spec.storageClassName())) {
                problems.add("spec.storage.storageClassName is immutable (the volumes use "
                        + (spec0.getStorageClassName() == null ? "the cluster's default class"
                        : spec0.getStorageClassName()) + "): restore "
                        + (spec0.getStorageClassName() == null ? "it to unset" : "it"));
            }
        }
        return problems;
    }

    private static WorkloadView workloadView(StatefulSet sts) {
        var status = sts.getStatus();
        if (status == null) {
            return new WorkloadView(true, 0, 0, null, false);
        }
        long generation = Optional.ofNullable(sts.getMetadata().getGeneration()).orElse(0L);
        long observed = Optional.ofNullable(status.getObservedGeneration()).orElse(-1L);
        return new WorkloadView(true, Optional.ofNullable(status.getReadyReplicas()).orElse(0),
                Optional.ofNullable(status.getUpdatedReplicas()).orElse(0), status.getUpdateRevision(),
                observed >= generation);
    }

    private static PodView podView(Pod pod) {
        var labels = pod.getMetadata().getLabels();
        String revision = labels == null ? null : labels.get("controller-revision-hash");
        boolean ready = pod.getStatus() != null && pod.getStatus().getConditions() != null
                && pod.getStatus().getConditions().stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
        String problem = null;
        if (pod.getStatus() != null && pod.getStatus().getContainerStatuses() != null) {
            for (ContainerStatus cs : pod.getStatus().getContainerStatuses()) {
                if (cs.getState() != null && cs.getState().getWaiting() != null
                        && POD_PROBLEMS.contains(cs.getState().getWaiting().getReason())) {
                    problem = cs.getState().getWaiting().getReason()
                            + Optional.ofNullable(cs.getState().getWaiting().getMessage()).map(m -> " (" + m + ")")
                            .orElse("");
                }
            }
        }
        return new PodView(pod.getMetadata().getName(), revision, ready,
                pod.getMetadata().getDeletionTimestamp() != null, problem);
    }

    private static boolean sameStatus(ElectionClusterStatus a, ElectionClusterStatus b) {
        if (a == null || b == null) {
            return a == b;
        }
        return Objects.equals(Serialization.asJson(a), Serialization.asJson(b));
    }

    /**
     * The object handed to JOSDK for the status patch. With server-side apply it is a fresh object carrying only
     * status (so the operator owns nothing else); without it a copy of the resource, of which JOSDK patches status.
     */
    private static ElectionCluster statusPatch(ElectionCluster cluster, ElectionClusterStatus status,
                                               Context<ElectionCluster> context) {
        boolean ssa = context.getControllerConfiguration().getConfigurationService().useSSAToPatchPrimaryResource();
        ElectionCluster patch;
        if (ssa) {
            patch = new ElectionCluster();
            patch.setMetadata(new ObjectMetaBuilder().withName(cluster.getMetadata().getName())
                    .withNamespace(cluster.getMetadata().getNamespace()).build());
        } else {
            patch = Serialization.clone(cluster);
        }
        patch.setStatus(status);
        return patch;
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName() + ": " + t.getMessage();
    }
}
