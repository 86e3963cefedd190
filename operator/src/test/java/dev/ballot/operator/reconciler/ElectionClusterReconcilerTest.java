package dev.ballot.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ballot.backup.BackupFetch;
import dev.ballot.backup.BackupStore;
import dev.ballot.backup.S3Credentials;
import dev.ballot.backup.VersityGw;
import dev.ballot.operator.api.BackupRetentionSpec;
import dev.ballot.operator.api.BackupSpec;
import dev.ballot.operator.api.BackupStatus;
import dev.ballot.operator.api.ElectionCluster;
import dev.ballot.operator.api.S3Spec;
import dev.ballot.operator.backup.BackupPlanner;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import dev.ballot.operator.api.ElectionClusterSpec;
import dev.ballot.operator.api.MemberStatus;
import dev.ballot.operator.api.ConsensusProtocol;
import dev.ballot.operator.api.RaftTimingSpec;
import dev.ballot.operator.status.StatusConditions;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatusBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The operator against the fabric8 mock API server (CRUD mode, no SSA) and loopback fake members. */
@QuarkusTest
@WithKubernetesTestServer
@WithTestResource(FakeMembersResource.class)
class ElectionClusterReconcilerTest {
    private static final Duration CHILDREN_TIMEOUT = Duration.ofSeconds(20);

    @Inject
    KubernetesClient client;

    @Inject
    ElectionClusterReconciler reconciler;

    @Test
    void creatingAClusterMakesItsChildren() {
        ElectionCluster ec = create("raft-a", raft(3));
        String ns = ec.getMetadata().getNamespace();

        StatefulSet sts = await().atMost(CHILDREN_TIMEOUT).until(
                () -> client.apps().statefulSets().inNamespace(ns).withName("raft-a").get(), s -> s != null);
        assertThat(sts.getMetadata().getOwnerReferences()).singleElement()
                .satisfies(o -> assertThat(o.getKind()).isEqualTo("ElectionCluster"));
        var spec = sts.getSpec();
        assertThat(spec.getReplicas()).isEqualTo(3);
        assertThat(spec.getServiceName()).isEqualTo("raft-a-peers");
        assertThat(spec.getUpdateStrategy().getType()).isEqualTo("OnDelete");
        assertThat(spec.getPodManagementPolicy()).isEqualTo("Parallel");
        assertThat(spec.getVolumeClaimTemplates()).singleElement().satisfies(c -> {
            assertThat(c.getMetadata().getName()).isEqualTo("data");
            assertThat(c.getSpec().getResources().getRequests().get("storage").toString()).isEqualTo("1Gi");
        });
        var pod = spec.getTemplate().getSpec();
        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(pod.getSecurityContext().getRunAsUser()).isEqualTo(10001L);
        assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        var node = pod.getContainers().get(0);
        assertThat(node.getName()).isEqualTo("node");
        assertThat(node.getArgs()).containsExactly("run", "--config", "/etc/ballot/ballot.yaml");
        assertThat(node.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
        assertThat(node.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
        assertThat(node.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(node.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
        assertThat(node.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(node.getEnv()).anySatisfy(e -> {
            assertThat(e.getName()).isEqualTo("BALLOT_LISTEN_ADDRESS");
            assertThat(e.getValue()).isEqualTo("$(POD_IP):2380");
        });

        Service peers = await().atMost(CHILDREN_TIMEOUT).until(
                () -> client.services().inNamespace(ns).withName("raft-a-peers").get(), s -> s != null);
        assertThat(peers.getSpec().getClusterIP()).isEqualTo("None");
        assertThat(peers.getSpec().getPublishNotReadyAddresses()).isTrue();
        assertThat(peers.getSpec().getPorts()).extracting(p -> p.getPort()).containsExactly(2379, 8080, 2380);
        Service clientSvc = await().atMost(CHILDREN_TIMEOUT).until(
                () -> client.services().inNamespace(ns).withName("raft-a-client").get(), s -> s != null);
        assertThat(clientSvc.getSpec().getPorts()).extracting(p -> p.getName())
                .containsExactly("etcd-client", "http");
        ConfigMap cm = await().atMost(CHILDREN_TIMEOUT).until(
                () -> client.configMaps().inNamespace(ns).withName("raft-a-config").get(), s -> s != null);
        assertThat(cm.getData().get("ballot.yaml"))
                .contains("raft-a-2.raft-a-peers." + ns + ".svc:2380")
                .contains("election_timeout_min: \"150ms\"");
        PodDisruptionBudget pdb = await().atMost(CHILDREN_TIMEOUT).until(
                () -> client.policy().v1().podDisruptionBudget().inNamespace(ns).withName("raft-a").get(),
                s -> s != null);
        assertThat(pdb.getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1);
        for (var child : List.of(peers, clientSvc, cm, pdb)) {
            assertThat(child.getMetadata().getOwnerReferences()).as(child.getMetadata().getName()).singleElement()
                    .satisfies(o -> assertThat(o.getUid()).isEqualTo(ec.getMetadata().getUid()));
            assertThat(child.getMetadata().getLabels())
                    .containsEntry("app.kubernetes.io/managed-by", "ballot-operator")
                    .containsEntry("app.kubernetes.io/instance", "raft-a");
        }

        ElectionCluster withStatus = awaitStatus("raft-a", c -> c.getStatus() != null
                && c.getStatus().observedGeneration != null);
        assertThat(withStatus.getStatus().selector).isEqualTo(
                "app.kubernetes.io/name=ballot-node,app.kubernetes.io/instance=raft-a");
        assertThat(withStatus.getStatus().endpoints.etcd).isEqualTo("http://raft-a-client." + ns + ".svc:2379");
        assertThat(withStatus.getStatus().endpoints.http).isEqualTo("http://raft-a-client." + ns + ".svc:8080");
        assertThat(condition(withStatus, StatusConditions.READY).getStatus()).isEqualTo("False");
    }

    @Test
    void statusFollowsTheMembers() {
        FakeMembers fake = FakeMembersResource.members;
        String ns = client.getNamespace();
        List<String> voters = leaderFollowerAndOneDown(fake, ns, "raft-b", 3);
        create("raft-b", raft(3));

        ElectionCluster seen = awaitStatus("raft-b", c -> c.getStatus() != null
                && "raft-b-0".equals(c.getStatus().leader) && member(c, "raft-b-2") != null
                && Boolean.FALSE.equals(member(c, "raft-b-2").reachable));
        assertThat(seen.getStatus().term).isEqualTo(3L);
        assertThat(seen.getStatus().quorum.healthy).isEqualTo(2);
        assertThat(seen.getStatus().quorum.required).isEqualTo(2);
        assertThat(member(seen, "raft-b-0").role).isEqualTo("leader");
        assertThat(member(seen, "raft-b-1").lag).isEqualTo(2L);
        assertThat(member(seen, "raft-b-2").message).startsWith("unreachable");
        assertThat(condition(seen, StatusConditions.AVAILABLE).getStatus()).isEqualTo("True");
        assertThat(condition(seen, StatusConditions.DEGRADED).getReason()).isEqualTo("NoFaultTolerance");
        long changesBefore = seen.getStatus().leaderChanges;

        // The change must travel over the event stream, not a poll: both members hold a live stream.
        await().atMost(Duration.ofSeconds(5)).until(() -> fake.openStreams(ns, "raft-b-0") > 0
                && fake.openStreams(ns, "raft-b-1") > 0);
        fake.report(ns, "raft-b-1", "leader", 4, "raft-b-1", voters);
        fake.report(ns, "raft-b-0", "follower", 4, "raft-b-1", voters);
        ElectionCluster moved = await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(20))
                .until(() -> get("raft-b"), c -> "raft-b-1".equals(c.getStatus().leader)
                        && Long.valueOf(4).equals(c.getStatus().term));
        assertThat(moved.getStatus().leaderChanges).isEqualTo(changesBefore + 1);
        // sent beside the status write, not before it: it still arrives
        await().atMost(Duration.ofSeconds(5)).until(() -> client.v1().events().inNamespace(ns).list().getItems()
                .stream().anyMatch(e -> "LeaderElected".equals(e.getReason())
                        && "raft-b".equals(e.getInvolvedObject().getName())
                        && e.getMessage().equals("raft-b-1 leads in term 4")));
        // a Warning that repeats the status goes out beside its write too
        assertThat(client.v1().events().inNamespace(ns).list().getItems()).anySatisfy(e -> {
            assertThat(e.getReason()).isEqualTo("MemberUnreachable");
            assertThat(e.getType()).isEqualTo("Warning");
            assertThat(e.getMessage()).startsWith("raft-b-2 unreachable");
        });
    }

    @Test
    void aNewOperatorProcessAnnouncesTheWarningsTheStoredStatusRecords() {
        // As after an operator killed between a status write and the Warnings sent beside it: a process that has not
        // reconciled the cluster yet announces the Warnings the stored status records, once.
        FakeMembers fake = FakeMembersResource.members;
        String ns = client.getNamespace();
        List<String> voters = leaderFollowerAndOneDown(fake, ns, "raft-w", 2);
        ElectionCluster ec = create("raft-w", raft(3));
        awaitStatus("raft-w", c -> c.getStatus() != null && member(c, "raft-w-2") != null
                && Boolean.FALSE.equals(member(c, "raft-w-2").reachable));
        await().atMost(CHILDREN_TIMEOUT).until(() -> unreachableWarnings(ns, "raft-w") == 1);

        reconciler.forgetReconciledOnce(ec.getMetadata().getUid()); // what a new process knows of it: nothing
        fake.report(ns, "raft-w-0", "leader", 3, "raft-w-0", voters); // a member's change: a reconcile
        fake.report(ns, "raft-w-1", "follower", 3, "raft-w-0", voters);
        await().atMost(CHILDREN_TIMEOUT).until(() -> unreachableWarnings(ns, "raft-w") == 2);
        fake.report(ns, "raft-w-0", "leader", 4, "raft-w-0", voters); // this process has announced them
        awaitStatus("raft-w", c -> c.getStatus() != null && Long.valueOf(4).equals(c.getStatus().term));
        assertThat(unreachableWarnings(ns, "raft-w")).isEqualTo(2);
    }

    /** How many times the cluster's MemberUnreachable Warning was sent (a repeat is counted, as the API server does). */
    private int unreachableWarnings(String ns, String cluster) {
        return client.v1().events().inNamespace(ns).list().getItems().stream()
                .filter(e -> "MemberUnreachable".equals(e.getReason()) && cluster.equals(e.getInvolvedObject().getName()))
                .mapToInt(e -> e.getCount() == null ? 1 : e.getCount()).sum();
    }

    @Test
    void learnersAreListedInTheConfigAndDoNotCountForQuorum() {
        FakeMembers fake = FakeMembersResource.members;
        String ns = client.getNamespace();
        List<String> voters = List.of("raft-l-0", "raft-l-1", "raft-l-2");
        List<String> learners = List.of("raft-l-3");
        fake.report(ns, "raft-l-0", "leader", 2, "raft-l-0", voters, learners);
        fake.report(ns, "raft-l-1", "follower", 2, "raft-l-0", voters, learners);
        fake.down(ns, "raft-l-2");
        fake.report(ns, "raft-l-3", "learner", 2, "raft-l-0", voters, learners);
        ElectionClusterSpec spec = raft(3);
        spec.learners = 1;
        create("raft-l", spec);

        StatefulSet sts = await().atMost(CHILDREN_TIMEOUT).until(
                () -> client.apps().statefulSets().inNamespace(ns).withName("raft-l").get(), s -> s != null);
        assertThat(sts.getSpec().getReplicas()).isEqualTo(4);
        ConfigMap cm = await().atMost(CHILDREN_TIMEOUT).until(
                () -> client.configMaps().inNamespace(ns).withName("raft-l-config").get(), s -> s != null);
        assertThat(cm.getData().get("ballot.yaml"))
                .contains("    - \"raft-l-2.raft-l-peers." + ns + ".svc:2380\"\n  learners:\n"
                        + "    - \"raft-l-3.raft-l-peers." + ns + ".svc:2380\"\n");
        PodDisruptionBudget pdb = await().atMost(CHILDREN_TIMEOUT).until(
                () -> client.policy().v1().podDisruptionBudget().inNamespace(ns).withName("raft-l").get(),
                s -> s != null);
        assertThat(pdb.getSpec().getMaxUnavailable().getIntVal()).as("3 voters tolerate 1 down").isEqualTo(1);

        ElectionCluster seen = awaitStatus("raft-l", c -> "raft-l-0".equals(c.getStatus().leader)
                && member(c, "raft-l-3") != null && "learner".equals(member(c, "raft-l-3").role)
                && member(c, "raft-l-2") != null && Boolean.FALSE.equals(member(c, "raft-l-2").reachable));
        MemberStatus learner = member(seen, "raft-l-3");
        assertThat(learner.voter).isFalse();
        assertThat(learner.id).isEqualTo(4);
        assertThat(member(seen, "raft-l-0").voter).isTrue();
        // The healthy learner does not make up for the voter that is down.
        assertThat(seen.getStatus().replicas).isEqualTo(3);
        assertThat(seen.getStatus().quorum.voters).isEqualTo(3);
        assertThat(seen.getStatus().quorum.healthy).isEqualTo(2);
        assertThat(seen.getStatus().quorum.required).isEqualTo(2);
        assertThat(seen.getStatus().quorum.faultTolerance).isZero();
        assertThat(StatusConditions.isTrue(seen.getStatus().conditions, StatusConditions.STALLED)).isFalse();
        assertThat(condition(seen, StatusConditions.DEGRADED).getReason()).isEqualTo("NoFaultTolerance");

        // Scaling would renumber the learner: refused until a human decides, and nothing changes.
        mergeSpec("raft-l", "{\"replicas\": 5}");
        ElectionCluster blocked = awaitStatus("raft-l", c -> StatusConditions.isTrue(c.getStatus().conditions,
                StatusConditions.STALLED) && "ScalingBlocked".equals(condition(c, StatusConditions.STALLED).getReason()));
        assertThat(condition(blocked, StatusConditions.STALLED).getMessage()).contains("spec.learners");
        assertThat(client.apps().statefulSets().inNamespace(ns).withName("raft-l").get().getSpec().getReplicas())
                .isEqualTo(4);
    }

    @Test
    void invalidSpecEndsInStalled() {
        ElectionClusterSpec spec = raft(3);
        spec.raft = new RaftTimingSpec("300ms", "150ms", "50ms");
        create("raft-c", spec);

        ElectionCluster stalled = awaitStatus("raft-c",
                c -> c.getStatus() != null && StatusConditions.isTrue(c.getStatus().conditions,
                        StatusConditions.STALLED));
        Condition c = condition(stalled, StatusConditions.STALLED);
        assertThat(c.getReason()).isEqualTo("InvalidSpec");
        assertThat(c.getMessage()).contains("spec.raft.electionTimeoutMin").contains("raise the max");
        assertThat(c.getObservedGeneration()).isEqualTo(stalled.getMetadata().getGeneration());
        assertThat(stalled.getStatus().phase).isEqualTo("Stalled");
        assertThat(client.apps().statefulSets().inNamespace(stalled.getMetadata().getNamespace())
                .withName("raft-c").get()).isNull();
    }

    @Test
    void observedGenerationFollowsEditsAndPauseStopsChanges() {
        create("raft-d", raft(3));
        String ns = client.getNamespace();
        awaitStatus("raft-d", c -> c.getStatus() != null && Long.valueOf(1).equals(c.getStatus().observedGeneration));

        mergeSpec("raft-d", "{\"replicas\": 5}");
        ElectionCluster edited = awaitStatus("raft-d", c -> Long.valueOf(2).equals(c.getStatus().observedGeneration));
        assertThat(edited.getMetadata().getGeneration()).isEqualTo(2L);
        assertThat(condition(edited, StatusConditions.READY).getObservedGeneration()).isEqualTo(2L);
        // No member answers, so no leader: scaling is a membership change and waits; nothing is created meanwhile.
        ElectionCluster waiting = awaitStatus("raft-d", c -> "Scaling".equals(
                condition(c, StatusConditions.RECONCILING).getReason()));
        assertThat(condition(waiting, StatusConditions.RECONCILING).getMessage()).contains("no leader is known");
        assertThat(client.apps().statefulSets().inNamespace(ns).withName("raft-d").get().getSpec().getReplicas())
                .isEqualTo(3);
        assertThat(client.policy().v1().podDisruptionBudget().inNamespace(ns).withName("raft-d").get()
                .getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1);

        mergeSpec("raft-d", "{\"paused\": true, \"replicas\": 4}");
        ElectionCluster paused = awaitStatus("raft-d", c -> Long.valueOf(3).equals(c.getStatus().observedGeneration));
        assertThat(condition(paused, StatusConditions.RECONCILING).getReason()).isEqualTo("Paused");
        assertThat(paused.getStatus().phase).isEqualTo("Paused");
        assertThat(condition(paused, StatusConditions.READY).getMessage()).contains("spec.replicas is even (4)");
        assertThat(client.apps().statefulSets().inNamespace(ns).withName("raft-d").get().getSpec().getReplicas())
                .isEqualTo(3);
        await().atMost(CHILDREN_TIMEOUT).until(() -> client.v1().events().inNamespace(ns).list().getItems().stream()
                .anyMatch(e -> "EvenVoters".equals(e.getReason()) && "Warning".equals(e.getType())
                        && "raft-d".equals(e.getInvolvedObject().getName())));
    }

    @Test
    void rollsOneMemberAtATimeLeaderLast() {
        FakeMembers fake = FakeMembersResource.members;
        String ns = client.getNamespace();
        List<String> voters = List.of("raft-e-0", "raft-e-1", "raft-e-2");
        fake.report(ns, "raft-e-0", "leader", 2, "raft-e-0", voters);
        fake.report(ns, "raft-e-1", "follower", 2, "raft-e-0", voters);
        fake.report(ns, "raft-e-2", "follower", 2, "raft-e-0", voters);
        create("raft-e", raft(3));
        await().atMost(CHILDREN_TIMEOUT).until(() -> client.apps().statefulSets().inNamespace(ns)
                .withName("raft-e").get() != null);
        for (String pod : voters) {
            runningPod("raft-e", pod, "rev-1");
        }
        // What the StatefulSet controller reports after a template change under OnDelete: nothing updated yet.
        client.apps().statefulSets().inNamespace(ns).withName("raft-e").editStatus(s -> {
            s.setStatus(new StatefulSetStatusBuilder().withReplicas(3).withReadyReplicas(3).withUpdatedReplicas(0)
                    .withCurrentRevision("rev-1").withUpdateRevision("rev-2")
                    .withObservedGeneration(s.getMetadata().getGeneration()).build());
            return s;
        });

        await().atMost(CHILDREN_TIMEOUT).until(() -> client.pods().inNamespace(ns).withName("raft-e-2").get() == null);
        assertThat(client.pods().inNamespace(ns).withName("raft-e-1").get()).as("one member at a time").isNotNull();
        awaitStatus("raft-e", c -> c.getStatus().rollout != null
                && c.getStatus().rollout.blockedBy.contains("waiting for raft-e-2"));

        runningPod("raft-e", "raft-e-2", "rev-2");
        await().atMost(CHILDREN_TIMEOUT).until(() -> client.pods().inNamespace(ns).withName("raft-e-1").get() == null);
        assertThat(client.pods().inNamespace(ns).withName("raft-e-0").get()).as("the leader goes last").isNotNull();

        runningPod("raft-e", "raft-e-1", "rev-2");
        await().atMost(CHILDREN_TIMEOUT).until(() -> fake.transferRequests(ns, "raft-e-0") > 0);
        assertThat(client.pods().inNamespace(ns).withName("raft-e-0").get())
                .as("leadership moves before the leader restarts").isNotNull();
        fake.report(ns, "raft-e-1", "leader", 3, "raft-e-1", voters);
        fake.report(ns, "raft-e-0", "follower", 3, "raft-e-1", voters);
        fake.report(ns, "raft-e-2", "follower", 3, "raft-e-1", voters);
        await().atMost(CHILDREN_TIMEOUT).until(() -> client.pods().inNamespace(ns).withName("raft-e-0").get() == null);
        await().atMost(CHILDREN_TIMEOUT).until(() -> client.v1().events().inNamespace(ns).list().getItems().stream()
                .filter(e -> "raft-e".equals(e.getInvolvedObject().getName()))
                .map(e -> e.getReason()).toList().containsAll(List.of("RestartingMember", "TransferringLeadership")));
    }

    @Test
    void scalesThroughMembershipChangesWithoutRestartingMembers() {
        FakeMembers fake = FakeMembersResource.members;
        String ns = client.getNamespace();
        List<String> three = List.of("raft-s-0", "raft-s-1", "raft-s-2");
        for (String pod : three) {
            fake.report(ns, pod, pod.equals("raft-s-0") ? "leader" : "follower", 2, "raft-s-0", three);
        }
        create("raft-s", raft(3));
        await().atMost(CHILDREN_TIMEOUT).until(() -> client.apps().statefulSets().inNamespace(ns)
                .withName("raft-s").get() != null);
        for (String pod : three) {
            runningPod("raft-s", pod, "rev-1");
        }
        String hash = configHash("raft-s");

        mergeSpec("raft-s", "{\"replicas\": 4}");
        await().atMost(CHILDREN_TIMEOUT).until(() -> client.apps().statefulSets().inNamespace(ns)
                .withName("raft-s").get().getSpec().getReplicas() == 4);
        assertThat(client.configMaps().inNamespace(ns).withName("raft-s-config").get().getData().get("ballot.yaml"))
                .as("the joining pod is listed as a learner until it is promoted")
                .contains("  learners:\n    - \"raft-s-3.raft-s-peers." + ns + ".svc:2380\"\n");
        assertThat(configHash("raft-s")).as("scaling changes no pod template: nobody restarts").isEqualTo(hash);
        assertThat(client.policy().v1().podDisruptionBudget().inNamespace(ns).withName("raft-s").get()
                .getSpec().getMaxUnavailable().getIntVal()).as("3 voters until the promotion").isEqualTo(1);

        runningPod("raft-s", "raft-s-3", "rev-1");
        await().atMost(CHILDREN_TIMEOUT).until(() -> fake.adminCalls(ns, "raft-s-0").stream().anyMatch(c ->
                c.startsWith("POST /v1/admin/members {") && c.contains("\"id\":\"raft-s-3\"")
                        && c.contains("\"kind\":\"learner\"") && c.contains("\"memberId\":4")
                        && c.contains("raft-s-3.raft-s-peers." + ns + ".svc:2380")));
        assertThat(fake.adminCalls(ns, "raft-s-0")).noneMatch(c -> c.contains("promote"));

        List<String> learner = List.of("raft-s-3");
        for (String pod : three) {
            fake.report(ns, pod, pod.equals("raft-s-0") ? "leader" : "follower", 2, "raft-s-0", three, learner);
        }
        fake.report(ns, "raft-s-3", "learner", 2, "raft-s-0", three, learner);
        await().atMost(CHILDREN_TIMEOUT).until(() -> fake.adminCalls(ns, "raft-s-0")
                .contains("POST /v1/admin/members/raft-s-3/promote"));

        List<String> four = List.of("raft-s-0", "raft-s-1", "raft-s-2", "raft-s-3");
        for (String pod : four) {
            fake.report(ns, pod, pod.equals("raft-s-0") ? "leader" : "follower", 2, "raft-s-0", four);
        }
        ElectionCluster scaled = awaitStatus("raft-s", c -> c.getStatus().quorum != null
                && c.getStatus().quorum.voters == 4 && !"Scaling".equals(
                condition(c, StatusConditions.RECONCILING).getReason()));
        assertThat(member(scaled, "raft-s-3").voter).isTrue();
        await().atMost(CHILDREN_TIMEOUT).until(() -> client.policy().v1().podDisruptionBudget().inNamespace(ns)
                .withName("raft-s").get().getSpec().getMaxUnavailable().getIntVal() == 1
                && client.configMaps().inNamespace(ns).withName("raft-s-config").get().getData().get("ballot.yaml")
                .contains("    - \"raft-s-3.raft-s-peers." + ns + ".svc:2380\"\n  election_timeout_min"));

        mergeSpec("raft-s", "{\"replicas\": 3}");
        await().atMost(CHILDREN_TIMEOUT).until(() -> fake.adminCalls(ns, "raft-s-0")
                .contains("DELETE /v1/admin/members/raft-s-3"));
        assertThat(client.apps().statefulSets().inNamespace(ns).withName("raft-s").get().getSpec().getReplicas())
                .as("the pod stays until the removal is committed").isEqualTo(4);
        for (String pod : three) {
            fake.report(ns, pod, pod.equals("raft-s-0") ? "leader" : "follower", 2, "raft-s-0", three);
        }
        fake.down(ns, "raft-s-3");
        await().atMost(CHILDREN_TIMEOUT).until(() -> client.apps().statefulSets().inNamespace(ns)
                .withName("raft-s").get().getSpec().getReplicas() == 3);
        assertThat(configHash("raft-s")).isEqualTo(hash);
        await().atMost(CHILDREN_TIMEOUT).until(() -> client.v1().events().inNamespace(ns).list().getItems().stream()
                .filter(e -> "raft-s".equals(e.getInvolvedObject().getName()))
                .map(e -> e.getReason()).toList().containsAll(List.of("ScalingStatefulSet", "AddingMember",
                        "PromotingMember", "RemovingMember")));
    }

    private String configHash(String cluster) {
        return client.apps().statefulSets().inNamespace(client.getNamespace()).withName(cluster).get().getSpec()
                .getTemplate().getMetadata().getAnnotations().get("ballot.dev/config-hash");
    }

    @Test
    void aVoterRestartWaitsUntilTheRestartedMemberCaughtUpWithTheLeader() {
        FakeMembers fake = FakeMembersResource.members;
        String ns = client.getNamespace();
        List<String> voters = List.of("raft-g-0", "raft-g-1", "raft-g-2");
        fake.report(ns, "raft-g-0", "leader", 2, "raft-g-0", voters);
        fake.report(ns, "raft-g-1", "follower", 2, "raft-g-0", voters);
        fake.report(ns, "raft-g-2", "follower", 2, "raft-g-0", voters);
        create("raft-g", raft(3));
        await().atMost(CHILDREN_TIMEOUT).until(() -> client.apps().statefulSets().inNamespace(ns)
                .withName("raft-g").get() != null);
        runningPod("raft-g", "raft-g-0", "rev-1");
        runningPod("raft-g", "raft-g-1", "rev-1");
        // raft-g-2 is back on the new revision, its pod Ready, but the leader has it 490 entries behind
        runningPod("raft-g", "raft-g-2", "rev-2");
        fake.progress(ns, "raft-g-0", 500, Map.of("raft-g-0", 500L, "raft-g-1", 500L, "raft-g-2", 10L));
        client.apps().statefulSets().inNamespace(ns).withName("raft-g").editStatus(s -> {
            s.setStatus(new StatefulSetStatusBuilder().withReplicas(3).withReadyReplicas(3).withUpdatedReplicas(1)
                    .withCurrentRevision("rev-1").withUpdateRevision("rev-2")
                    .withObservedGeneration(s.getMetadata().getGeneration()).build());
            return s;
        });

        awaitStatus("raft-g", c -> c.getStatus().rollout != null && c.getStatus().rollout.blockedBy
                .contains("waiting for raft-g-2 to catch up with the leader raft-g-0 (490 entries behind)"));
        assertThat(client.pods().inNamespace(ns).withName("raft-g-1").get()).as("held back").isNotNull();

        fake.progress(ns, "raft-g-0", 520, Map.of("raft-g-2", 515L));
        await().atMost(CHILDREN_TIMEOUT).until(() -> client.pods().inNamespace(ns).withName("raft-g-1").get() == null);
        assertThat(client.pods().inNamespace(ns).withName("raft-g-0").get()).as("the leader goes last").isNotNull();
    }

    /** A member pod as the kubelet would report it: ready, with the StatefulSet's revision label. */
    private void runningPod(String cluster, String name, String revision) {
        Pod pod = new PodBuilder()
                .withNewMetadata().withName(name).withNamespace(client.getNamespace())
                .addToLabels(dev.ballot.operator.desired.Names.labels(cluster))
                .addToLabels("controller-revision-hash", revision).endMetadata()
                .withNewSpec().addNewContainer().withName("node").withImage("ballot/node:test").endContainer()
                .endSpec().build();
        client.resource(pod).create();
        client.pods().inNamespace(client.getNamespace()).withName(name).editStatus(p -> {
            p.setStatus(new PodStatusBuilder().addNewCondition().withType("Ready").withStatus("True").endCondition()
                    .build());
            return p;
        });
    }

    @Test
    void onDemandBackupsGoToARealS3ServerWithRetentionAndStatusSaysWhere() throws Exception {
        FakeMembers fake = FakeMembersResource.members;
        String ns = client.getNamespace();
        List<String> voters = List.of("bk-0", "bk-1", "bk-2");
        fake.report(ns, "bk-0", "follower", 3, "bk-1", voters);
        fake.report(ns, "bk-1", "leader", 3, "bk-1", voters);
        fake.report(ns, "bk-2", "follower", 3, "bk-1", voters);
        try (VersityGw gw = VersityGw.start()) {
            gw.createBucket("ec-backups");
            client.secrets().inNamespace(ns).resource(new SecretBuilder().withNewMetadata().withName("s3-creds").endMetadata()
                    .addToStringData(S3Credentials.ACCESS_KEY_ID, VersityGw.CREDENTIALS.accessKeyId())
                    .addToStringData(S3Credentials.SECRET_ACCESS_KEY, VersityGw.CREDENTIALS.secretAccessKey()).build()).create();
            ElectionClusterSpec spec = raft(3);
            spec.backup = new BackupSpec();
            spec.backup.s3 = new S3Spec();
            spec.backup.s3.bucket = "ec-backups";
            spec.backup.s3.prefix = "ops";
            spec.backup.s3.endpoint = gw.endpoint();
            spec.backup.s3.forcePathStyle = true;
            spec.backup.s3.credentialsSecret = "s3-creds";
            spec.backup.retention = new BackupRetentionSpec();
            spec.backup.retention.keep = 1;
            ElectionCluster ec = new ElectionCluster();
            ec.setMetadata(new ObjectMetaBuilder().withName("bk").withNamespace(ns)
                    .withAnnotations(Map.of(BackupPlanner.BACKUP_NOW, "first")).build());
            ec.setSpec(spec);
            client.resource(ec).create();

            ElectionCluster first = awaitStatus("bk", c -> c.getStatus() != null && c.getStatus().backup != null
                    && "first".equals(c.getStatus().backup.lastRequest) && c.getStatus().backup.lastObject != null
                    && c.getStatus().backup.runningSince == null);
            BackupStatus b = first.getStatus().backup;
            assertThat(b.lastError).isNull();
            assertThat(b.lastObject).startsWith("ops/" + ns + "/bk/").endsWith(".snap");
            assertThat(b.lastTerm).isEqualTo(3L);
            assertThat(b.lastDurationMs).isNotNull();
            try (BackupStore store = BackupStore.open(gw.location("ec-backups", "ops"), VersityGw.CREDENTIALS)) {
                BackupFetch.Fetched got = BackupFetch.fetch(store, "ops/" + ns + "/bk/", BackupFetch.LATEST);
                // Taken from the leader, whose name the members report.
                assertThat(new String(got.data(), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("state of bk-1 at " + b.lastIndex);
                assertThat(got.manifest().size()).isEqualTo(b.lastSize);

                // A second request (a new annotation value); retention keeps only the newest.
                ConflictRetry.edit(client.resources(ElectionCluster.class).inNamespace(ns).withName("bk"), c -> {
                    c.getMetadata().getAnnotations().put(BackupPlanner.BACKUP_NOW, "second");
                    return c;
                });
                ElectionCluster second = awaitStatus("bk", c -> "second".equals(c.getStatus().backup.lastRequest)
                        && c.getStatus().backup.runningSince == null && !b.lastObject.equals(c.getStatus().backup.lastObject));
                assertThat(second.getStatus().backup.lastError).isNull();
                assertThat(store.list("ops/" + ns + "/bk/")).extracting(k -> k.key())
                        .containsExactly(second.getStatus().backup.lastObject);
            }

            // A missing Secret is named in status.backup.lastError.
            spec.backup.s3.credentialsSecret = "no-such-secret";
            ConflictRetry.edit(client.resources(ElectionCluster.class).inNamespace(ns).withName("bk"), c -> {
                c.getSpec().backup.s3.credentialsSecret = "no-such-secret";
                c.getMetadata().getAnnotations().put(BackupPlanner.BACKUP_NOW, "third");
                return c;
            });
            ElectionCluster failed = awaitStatus("bk", c -> "third".equals(c.getStatus().backup.lastRequest)
                    && c.getStatus().backup.lastError != null);
            assertThat(failed.getStatus().backup.lastError).contains("no-such-secret").contains("does not exist");
        }
    }

    @Test
    void deletingAClusterStopsWatchingItsMembers() {
        ElectionCluster ec = create("raft-f", raft(1));
        var id = io.javaoperatorsdk.operator.processing.event.ResourceID.fromResource(ec);
        await().atMost(CHILDREN_TIMEOUT).until(() -> reconciler.memberWatcher().trackedClusters().contains(id));
        client.resource(ec).delete();
        await().atMost(CHILDREN_TIMEOUT).until(() -> !reconciler.memberWatcher().trackedClusters().contains(id));
    }

    @Test
    void committedCrdMatchesTheGeneratedOne() throws Exception {
        Path generated = Path.of("target/kubernetes/electionclusters.ballot.dev-v1.yml");
        Path committed = Path.of("../crds/electionclusters.ballot.dev-v1.yml");
        assertThat(generated).as("QOSDK generates the CRD when Quarkus builds the app").exists();
        assertThat(Files.readString(committed))
                .as("crds/ is stale; refresh it with: mvn -B -pl operator -am package -DskipTests"
                        + " && cp operator/target/kubernetes/electionclusters.ballot.dev-v1.yml crds/")
                .isEqualTo(Files.readString(generated));
    }

    private static ElectionClusterSpec raft(int replicas) {
        ElectionClusterSpec spec = new ElectionClusterSpec();
        spec.protocol = ConsensusProtocol.Raft;
        spec.replicas = replicas;
        spec.image = "ballot/node:test";
        return spec;
    }

    private ElectionCluster create(String name, ElectionClusterSpec spec) {
        ElectionCluster ec = new ElectionCluster();
        ec.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(client.getNamespace()).build());
        ec.setSpec(spec);
        return client.resource(ec).create();
    }

    /** A user's edit: a merge patch of spec, without resourceVersion, as kubectl patch --type merge sends. */
    private void mergeSpec(String name, String specJson) {
        client.resources(ElectionCluster.class).inNamespace(client.getNamespace()).withName(name)
                .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\": " + specJson + "}");
    }

    private ElectionCluster get(String name) {
        return client.resources(ElectionCluster.class).inNamespace(client.getNamespace()).withName(name).get();
    }

    private ElectionCluster awaitStatus(String name, java.util.function.Predicate<ElectionCluster> condition) {
        return await().atMost(CHILDREN_TIMEOUT).pollInterval(Duration.ofMillis(50))
                .until(() -> get(name), c -> c != null && c.getStatus() != null && condition.test(c));
    }

    private static Condition condition(ElectionCluster c, String type) {
        Condition found = StatusConditions.find(c.getStatus().conditions, type);
        assertThat(found).as("condition " + type).isNotNull();
        return found;
    }

    /** The three voters of {@code cluster}: -0 reports it leads in {@code term}, -1 follows it, -2 does not answer. */
    private static List<String> leaderFollowerAndOneDown(FakeMembers fake, String ns, String cluster, long term) {
        List<String> voters = List.of(cluster + "-0", cluster + "-1", cluster + "-2");
        fake.report(ns, cluster + "-0", "leader", term, cluster + "-0", voters);
        fake.report(ns, cluster + "-1", "follower", term, cluster + "-0", voters);
        fake.down(ns, cluster + "-2");
        return voters;
    }

    private static MemberStatus member(ElectionCluster c, String name) {
        return c.getStatus().members.stream().filter(m -> name.equals(m.name)).findFirst().orElse(null);
    }
}
