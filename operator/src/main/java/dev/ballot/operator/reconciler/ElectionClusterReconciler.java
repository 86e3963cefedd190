package dev.ballot.operator.reconciler;

import dev.ballot.nodeapi.NodeClient;
import dev.ballot.operator.api.ActionStatus;
import dev.ballot.operator.api.ElectionCluster;
import dev.ballot.operator.api.RecoveryStatus;
import dev.ballot.operator.api.ElectionClusterStatus;
import dev.ballot.operator.decide.ClusterDecider;
import dev.ballot.operator.decide.ClusterDecision;
import dev.ballot.operator.decide.Intent;
import dev.ballot.operator.decide.Observed;
import dev.ballot.operator.desired.Names;
import dev.ballot.operator.desired.SpecValidator;
import dev.ballot.operator.members.MemberStatusEventSource;
import dev.ballot.operator.metrics.ClusterGauges;
import dev.ballot.operator.status.EventToPublish;
import dev.ballot.operator.status.LeaderLossHold;
import dev.ballot.operator.status.StatusEvents;
import dev.ballot.operator.step.Step;
import dev.ballot.operator.status.WorkloadView;
import dev.ballot.operator.storage.VolumeGrowth;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.micrometer.core.instrument.MeterRegistry;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
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
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Reconciles an ElectionCluster: observe once ({@link ClusterObserver}), decide ({@link ClusterDecider}, pure), and
 * act at the edges: the managed workflow applies the decided children (unless paused or invalid), the executors
 * carry out the decided steps, the Events are published, and the status the decision computed is written once.
 */
@Workflow(explicitInvocation = true, dependents = {
    @Dependent(name = "config", type = ConfigMapDependent.class),
    @Dependent(name = "peer-service", type = PeerServiceDependent.class),
    @Dependent(name = "client-service", type = ClientServiceDependent.class),
    @Dependent(name = "statefulset", type = StatefulSetDependent.class, dependsOn = {"config", "peer-service"}),
    @Dependent(name = "pdb", type = PodDisruptionBudgetDependent.class),
    @Dependent(name = "network-policy", type = NetworkPolicyDependent.class)})
// Woken by a new generation or a ballot.dev/ request annotation, never by its own status writes (RequestAnnotations).
@ControllerConfiguration(name = ElectionClusterReconciler.NAME, generationAwareEventProcessing = false,
        informer = @Informer(onUpdateFilter = RequestAnnotations.UpdateFilter.class))
// For QOSDK's generated manifest; what deploy/ and the chart grant is OperatorPermissions (a test keeps them equal).
@AdditionalRBACRules({
    @RBACRule(apiGroups = "", resources = "pods", verbs = {"get", "list", "watch", "patch", "delete"}),
    @RBACRule(apiGroups = "", resources = "persistentvolumeclaims", verbs = {"get", "list", "watch", "patch",
        "delete"}),
    @RBACRule(apiGroups = "storage.k8s.io", resources = "storageclasses", verbs = {"get"}),
    @RBACRule(apiGroups = "", resources = "secrets", verbs = {"get", "list", "create", "update", "delete"}),
    @RBACRule(apiGroups = "", resources = "events", verbs = {"create"}),
    @RBACRule(apiGroups = "coordination.k8s.io", resources = "leases", verbs = {"get", "create", "update", "patch"})})
public class ElectionClusterReconciler implements Reconciler<ElectionCluster> {
    public static final String NAME = "electioncluster";
    private static final Logger LOG = Logger.getLogger(ElectionClusterReconciler.class);

    private final OperatorSettings settings;
    private final KubernetesClient client;
    private final RolloutExecutor rollout;
    private final ActionExecutor actions;
    private final ScaleExecutor scale;
    private final VolumeResizer volumes;
    private final BackupExecutor backups;
    /** The per-cluster gauges on /q/metrics (docs/operator.md, "Metrics"). */
    private final ClusterGauges gauges;
    /**
     * The operator's one client for the node API: the member watcher, the rollout and the scale executors. The JDK
     * client resolves names through InetAddress, so -Djdk.net.hosts.file works for local runs.
     */
    private final NodeClient nodes;
    /** The operator's certificate per cluster with TLS, in the context {@link #nodes} uses. */
    private final OperatorTls operatorTls = new OperatorTls();
    private final ClusterCertificates certificates;
    private final ProvidedCertificates providedCertificates;
    /** Per cluster (namespace/name): the VolumeResizeBlocked message this process last published. */
    private final Map<String, String> volumeBlockPublished = new ConcurrentHashMap<>();
    /**
     * Per cluster uid: the status.actions this process last computed. The informer can hand a reconcile a status
     * older than the one the last reconcile wrote; a started action must not look new then (ClusterDeletions forgets
     * a deleted cluster's entry).
     */
    private final Map<String, List<ActionStatus>> actionsWritten = new ConcurrentHashMap<>();
    /**
     * Per cluster uid: the status.recovery this process wrote. Written once, by the recovery's reconcile; a later
     * reconcile handed a status older than that write would otherwise carry over none and its status apply would drop
     * the field (seen in e2e: status.recovery empty after a recovery).
     */
    private final Map<String, RecoveryStatus> recoveryWritten = new ConcurrentHashMap<>();
    /** Per cluster uid: System.nanoTime() of the first reconcile that held its status back (LeaderLossHold). */
    private final Map<String, Long> holdingSince = new ConcurrentHashMap<>();
    /** Per cluster uid: what the last apply of the children applied and left (so an unchanged one is skipped). */
    private final AppliedChildren applied = new AppliedChildren();
    private volatile MemberStatusEventSource members;
    private final MemberStatusEventSource.MemberWatchSettings watch;
    /** The Events that only repeat the new status, sent beside its write (EventToPublish.news). */
    private final NewsEvents news;
    /**
     * Per cluster: the MemberNeedsReplacement Warning this process last published (a reconcile can start from a status
     * older than the one it wrote, which would announce the same replacement twice); cleared once none runs.
     */
    private final Map<String, String> replacementAnnounced = new ConcurrentHashMap<>();
    /**
     * The clusters (by uid) this process has reconciled: at the first reconcile of each, the Warnings its stored status
     * records are announced again (StatusEvents.stillTrue), since they were sent beside that status's write.
     */
    private final Set<String> reconciledOnce = ConcurrentHashMap.newKeySet();

    public ElectionClusterReconciler(OperatorSettings settings, KubernetesClient client, MeterRegistry registry) {
        this.settings = settings;
        this.client = client;
        this.gauges = new ClusterGauges(registry);
        this.news = new NewsEvents(client);
        this.watch = new MemberStatusEventSource.MemberWatchSettings(settings.memberUrlTemplate(),
                settings.memberPollInterval(), settings.memberRequestTimeout(), settings.memberStreamStaleAfter());
        // The JDK client's connect timeout covers the TLS handshake: it must let a first contact's handshake through
        // (see firstContactTimeout); every call's own deadline (memberRequestTimeout) still bounds the rest.
        this.nodes = NodeClient.create(watch.firstContactTimeout(), settings.memberRequestTimeout(), null,
                operatorTls.context());
        this.certificates = new ClusterCertificates(client);
        this.providedCertificates = new ProvidedCertificates(client, settings.providedCertificatesRecheck());
        this.rollout = new RolloutExecutor(client, settings, nodes);
        this.actions = new ActionExecutor(rollout, client);
        this.scale = new ScaleExecutor(settings, nodes);
        this.volumes = new VolumeResizer(client);
        this.backups = new BackupExecutor(client, settings, nodes.http(), java.time.Clock.systemUTC());
    }

    /** What each member reports of its TLS material, for a CA rotation's steps: unanswered polls count as silence. */
    private static Map<String, dev.ballot.operator.certs.CaRotationPlanner.MemberTls> memberTls(
            Map<String, dev.ballot.operator.members.MemberObservation> observations) {
        Map<String, dev.ballot.operator.certs.CaRotationPlanner.MemberTls> out = new java.util.LinkedHashMap<>();
        observations.forEach((name, o) -> out.put(name, o.isReachable()
                ? dev.ballot.operator.certs.CaRotationPlanner.MemberTls.of(o.status().tls())
                : dev.ballot.operator.certs.CaRotationPlanner.MemberTls.NOT_ANSWERING));
        return out;
    }

    /** For tests: this process forgets it reconciled the cluster {@code uid}, as a newly started one would. */
    void forgetReconciledOnce(String uid) {
        reconciledOnce.remove(uid);
    }

    /** The member watcher, for tests. */
    MemberStatusEventSource memberWatcher() {
        return members;
    }

    @Override
    public List<EventSource<?, ElectionCluster>> prepareEventSources(EventSourceContext<ElectionCluster> context) {
        members = new MemberStatusEventSource(watch, nodes);
        // The members' pods (health and restarts) and claims (resize progress, labelled from the claim template).
        return List.of(members, labelledChildren(Pod.class, "pods", context),
                labelledChildren(PersistentVolumeClaim.class, "claims", context), new ClusterDeletions(gauges,
                deleted -> {
                    String uid = String.valueOf(deleted.getMetadata().getUid());
                    actionsWritten.remove(uid);
                    recoveryWritten.remove(uid);
                    holdingSince.remove(uid);
                    applied.forget(uid);
                    reconciledOnce.remove(uid);
                }));
    }

    @Override
    public UpdateControl<ElectionCluster> reconcile(ElectionCluster cluster, Context<ElectionCluster> context) {
        ResourceID id = ResourceID.fromResource(cluster);
        String key = id.getNamespace().orElse("") + "/" + id.getName();
        String uid = String.valueOf(cluster.getMetadata().getUid());
        ReconcileClock clock = new ReconcileClock(members.lastChangeNanos(id));
        Observed observed = ClusterObserver.observe(cluster, context, members.observations(id),
                members.watchedSince(id), volumes::expansion,
                leader -> rollout.leaderProgress(cluster, leader), volumeBlockPublished.get(key),
                actionsWritten.get(uid),
                new Observed.Settings(settings.rolloutExecute(), settings.statusRefreshInterval(),
                        settings.tlsDefaultEnabled()));

        Intent intent = ClusterDecider.intend(observed);
        clock.mark("observe");
        WorkloadView workload = observed.statefulSet() == null ? WorkloadView.MISSING
                : observed.statefulSet().workload();
        ClusterCertificates.Result tls = null;
        ProvidedCertificates.Outcome provided = null;
        if (intent.valid() && observed.effective().tls() && !observed.effective().paused()) {
            // Before the pods: a member's Secret must hold its certificate when its pod starts.
            if (SpecValidator.providedCertificates(cluster.getSpec())) {
                provided = providedCertificates.ensure(cluster, intent.children().members(), Instant.now());
                tls = provided.tls();
            } else {
                tls = certificates.ensure(cluster, intent.children().members(), observed.effective().clients(),
                        Instant.now(), memberTls(members.observations(id)));
            }
            if (tls.operator() != null) {
                operatorTls.put(key, tls.operator());
            }
        }
        // Provided certificates that were never valid: no pod could start (nothing to mount), so none is made yet.
        boolean certificatesMissing = provided != null && tls.operator() == null;
        clock.mark("certificates");
        if (intent.valid() && !certificatesMissing) {
            ChildrenKey.put(context, intent.children());
            if (!observed.effective().paused()) {
                String desired = AppliedChildren.desiredDigest(intent.children(), NetworkPolicyDependent.OPERATOR_NAMESPACE);
                if (!applied.unchanged(uid, desired, AppliedChildren.stored(context), System.nanoTime())) {
                    context.managedWorkflowAndDependentResourceContext().reconcileManagedWorkflow();
                    applied.remember(uid, desired, AppliedChildren.stored(context), System.nanoTime());
                }
                workload = ClusterObserver.workload(context.getSecondaryResource(StatefulSet.class));
            }
            members.track(id, cluster.getMetadata().getUid(), intent.children().members(), observed.effective().tls());
        }
        clock.mark("children");

        ClusterDecision decision = ClusterDecider.decide(observed, intent, workload);
        List<EventToPublish> acted = new ArrayList<>();
        if (decision.scale() != null) {
            scale.execute(cluster, decision.scale(), decision.leader()).ifPresent(acted::add);
        }
        if (decision.replacement() != null) {
            if (decision.replacement().step().kind() == Step.Kind.RESTART) {
                rollout.restart(cluster, decision.replacement().step(), decision.replacementRevision(),
                        "so that it starts empty as a learner/observer (it lost its storage)").ifPresent(acted::add);
            } else {
                scale.execute(cluster, decision.replacement(), decision.leader()).ifPresent(acted::add);
            }
        }
        if (decision.rollout().acts()) {
            rollout.execute(cluster, decision.rollout(), decision.rolloutRevision()).ifPresent(acted::add);
        }
        RecoveryStatus recovered = null;
        if (decision.action() != null) {
            ActionExecutor.Outcome outcome = actions.execute(cluster, decision.action());
            outcome.event().ifPresent(acted::add);
            recovered = outcome.recovery();
        }
        VolumeGrowth grown = null;
        if (decision.volumes() != null && !decision.volumes().converged()) {
            VolumeResizer.Result result = volumes.execute(cluster, decision.volumes(),
                    context.getSecondaryResource(StatefulSet.class), decision.settled());
            acted.addAll(result.events());
            grown = result.plan();
        }

        clock.mark("steps");
        ClusterDecision.Final done = ClusterDecider.settle(observed, decision, acted, grown);
        if (done.volumeBlockPublished() == null) {
            volumeBlockPublished.remove(key);
        } else {
            volumeBlockPublished.put(key, done.volumeBlockPublished());
        }
        if (!intent.replacement().active()) {
            replacementAnnounced.remove(key);
        }
        if (reconciledOnce.add(uid)) {
            // What the process before this one may have written without announcing (killed in between).
            StatusEvents.stillTrue(cluster.getStatus()).stream()
                    .filter(e -> done.events().stream().noneMatch(d -> d.reason().equals(e.reason())
                            && Objects.equals(d.message(), e.message())))
                    .forEach(e -> news.send(cluster, e));
        }
        BackupExecutor.Result backup = backups.reconcile(cluster, decision.leader());
        clock.mark("backup");
        boolean backupChanged = done.status() != null && !Objects.equals(Serialization.asJson(done.status().backup),
                Serialization.asJson(backup.status()));
        if (backupChanged) {
            done.status().backup = backup.status();
        }
        if (done.status() != null && done.status().actions != null) {
            actionsWritten.put(uid, done.status().actions);
        }
        if (recovered != null) {
            recoveryWritten.put(uid, recovered);
        }
        RecoveryStatus recovery = recovered != null ? recovered : recoveryWritten.get(uid);
        boolean recoveryWrite = recovery != null && done.status() != null
                && (recovered != null || done.status().recovery == null);
        if (recoveryWrite) {
            done.status().recovery = recovery; // the status then carries it over (StatusBuilder)
        }
        boolean statusChanged = done.statusChanged() || backupChanged || recoveryWrite;
        boolean tlsChanged = tls != null && !tlsStatusEquals(cluster.getStatus(), tls.status());
        if (tls != null) {
            tls.events().forEach(e -> EventRecorder.record(client, cluster, e));
            statusChanged |= tlsChanged;
            done.status().tls = tls.status();
        } else if (cluster.getStatus() != null) {
            done.status().tls = cluster.getStatus().tls; // paused or invalid: keep what was reported
        }
        if (provided != null) {
            done.status().conditions = ProvidedCertificatesCondition.merge(cluster.getStatus(), done.status(),
                    provided.problem(), Instant.now());
            statusChanged = !Objects.equals(Serialization.asJson(cluster.getStatus()), Serialization.asJson(done.status()));
        }
        // After status.tls is known: the certificate expiry gauge reads it.
        gauges.record(id.getNamespace().orElse(""), id.getName(), cluster.getMetadata().getUid(), done.status());
        // A status whose only news is the leader's trouble waits a moment for its successor (LeaderLossHold).
        boolean onlyStatusNews = statusChanged && acted.isEmpty() && decision.action() == null && !backupChanged
                && !recoveryWrite && provided == null && !tlsChanged
                && done.events().stream().allMatch(EventToPublish::news);
        Optional<Duration> held = Optional.empty();
        if (onlyStatusNews && LeaderLossHold.applies(cluster.getStatus(), done.status(), members.observations(id))) {
            long since = holdingSince.computeIfAbsent(uid, k -> System.nanoTime());
            held = LeaderLossHold.remaining(Duration.ofNanos(System.nanoTime() - since));
        } else {
            holdingSince.remove(uid);
        }
        if (held.isEmpty()) {
            done.events().stream().filter(e -> !"MemberNeedsReplacement".equals(e.reason())
                            || !e.message().equals(replacementAnnounced.put(key, e.message())))
                    .forEach(e -> {
                        if (e.news()) {
                            news.send(cluster, e);
                        } else {
                            EventRecorder.record(client, cluster, e);
                        }
                    });
        }
        clock.mark("events");
        clock.log(key + (held.isPresent() ? " (status held " + held.get().toMillis() + " ms: its leader went silent)"
                : statusChanged ? " (status to write)" : ""));
        UpdateControl<ElectionCluster> control = statusChanged && held.isEmpty()
                ? UpdateControl.patchStatus(statusPatch(cluster, done.status(), context))
                : UpdateControl.noUpdate();
        Duration recheck = backup.recheck() != null && backup.recheck().compareTo(done.recheck()) < 0
                ? backup.recheck() : done.recheck();
        return control.rescheduleAfter(held.filter(h -> h.compareTo(recheck) < 0).orElse(recheck));
    }

    @Override
    public ErrorStatusUpdateControl<ElectionCluster> updateErrorStatus(ElectionCluster cluster,
                                                                       Context<ElectionCluster> context,
                                                                       Exception e) {
        LOG.warnf(e, "reconcile of %s/%s failed", cluster.getMetadata().getNamespace(),
                cluster.getMetadata().getName());
        gauges.reconcileFailed(cluster.getMetadata().getNamespace(), cluster.getMetadata().getName(),
                cluster.getMetadata().getUid(), Instant.now());
        return ErrorStatusUpdateControl.patchStatus(statusPatch(cluster, ClusterDecider.failed(cluster.getStatus(),
                Optional.ofNullable(cluster.getMetadata().getGeneration()).orElse(0L), rootMessage(e), Instant.now()),
                context));
    }

    /**
     * Objects of {@code kind} labelled as a cluster's but not owned by it (a member's pod and claim belong to the
     * StatefulSet): a change of one triggers a reconcile of the cluster its instance label names.
     */
    private static <R extends HasMetadata> InformerEventSource<R, ElectionCluster> labelledChildren(
            Class<R> kind, String name, EventSourceContext<ElectionCluster> context) {
        return new InformerEventSource<>(
                InformerEventSourceConfiguration.from(kind, ElectionCluster.class)
                        .withName(name)
                        .withLabelSelector(Names.MANAGED_SELECTOR)
                        .withSecondaryToPrimaryMapper(child -> {
                            String cluster = child.getMetadata().getLabels() == null ? null
                                    : child.getMetadata().getLabels().get(Names.LABEL_INSTANCE);
                            return cluster == null ? Set.of()
                                    : Set.of(new ResourceID(cluster, child.getMetadata().getNamespace()));
                        })
                        .build(), context);
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

    private static boolean tlsStatusEquals(ElectionClusterStatus status, dev.ballot.operator.api.TlsStatus now) {
        var was = status == null ? null : status.tls;
        return was != null && java.util.Objects.equals(was.caNotAfter, now.caNotAfter)
                && java.util.Objects.equals(was.nextExpiring, now.nextExpiring)
                && java.util.Objects.equals(was.nextNotAfter, now.nextNotAfter)
                && java.util.Objects.equals(was.lastIssued, now.lastIssued)
                && java.util.Objects.equals(was.rotationRequest, now.rotationRequest);
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName() + ": " + t.getMessage();
    }
}
