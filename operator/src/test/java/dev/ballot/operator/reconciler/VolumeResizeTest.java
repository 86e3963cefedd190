package dev.ballot.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ballot.operator.api.ElectionCluster;
import dev.ballot.operator.api.ElectionClusterSpec;
import dev.ballot.operator.api.ConsensusProtocol;
import dev.ballot.operator.api.StorageSpec;
import dev.ballot.operator.desired.Names;
import dev.ballot.operator.status.StatusConditions;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatusBuilder;
import io.fabric8.kubernetes.api.model.storage.StorageClassBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/** spec.storage.size growth against the fabric8 mock API server (no StatefulSet controller, no GC, no resizer). */
@QuarkusTest
@WithKubernetesTestServer
@WithTestResource(FakeMembersResource.class)
class VolumeResizeTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    @Inject
    KubernetesClient client;

    /** Per cluster: the claims' resourceVersions right after the test made them. */
    private final Map<String, Map<String, String>> versionsAtCreation = new HashMap<>();

    @Test
    void growingTheSizeGrowsEveryClaimAndTheTemplateWithoutTouchingThePods() {
        String ns = client.getNamespace();
        storageClass("expandable", true);
        Map<String, String> podUids = readyCluster("vol-a", "expandable");

        // Equal sizes, through every reconcile up to Ready: nothing patched, the StatefulSet kept.
        assertThat(claimVersions("vol-a")).isEqualTo(versionsAtCreation.get("vol-a"));
        assertThat(events("vol-a")).doesNotContain("ResizingVolumes");
        StatefulSet before = client.apps().statefulSets().inNamespace(ns).withName("vol-a").get();

        mergeSpec("vol-a", "{\"storage\": {\"size\": \"2Gi\", \"storageClassName\": \"expandable\"}}");

        await().atMost(TIMEOUT).until(() -> List.of(0, 1, 2).stream().allMatch(i ->
                new Quantity("2Gi").equals(claim("vol-a", i).getSpec().getResources().getRequests().get("storage"))));
        awaitStatus("vol-a", c -> "ResizingVolumes".equals(condition(c, StatusConditions.RECONCILING).getReason())
                && "True".equals(condition(c, StatusConditions.RECONCILING).getStatus()));
        // The StatefulSet is replaced (orphan delete, recreated by the dependent) with the new claim template.
        StatefulSet after = await().atMost(TIMEOUT).until(
                () -> client.apps().statefulSets().inNamespace(ns).withName("vol-a").get(),
                s -> s != null && !s.getMetadata().getUid().equals(before.getMetadata().getUid()));
        assertThat(after.getSpec().getVolumeClaimTemplates()).singleElement().satisfies(t -> assertThat(
                t.getSpec().getResources().getRequests().get("storage")).isEqualTo(new Quantity("2Gi")));
        assertThat(after.getSpec().getTemplate()).isEqualTo(before.getSpec().getTemplate());
        for (var pod : podUids.entrySet()) {
            Pod now = client.pods().inNamespace(ns).withName(pod.getKey()).get();
            assertThat(now).as(pod.getKey()).isNotNull();
            assertThat(now.getMetadata().getUid()).as("%s not replaced", pod.getKey()).isEqualTo(pod.getValue());
        }
        await().atMost(TIMEOUT).until(() -> events("vol-a").contains("ResizingVolumes"));

        // The provisioner and the kubelet finish: capacities follow, the new StatefulSet reports its pods.
        for (int i = 0; i < 3; i++) {
            client.persistentVolumeClaims().inNamespace(ns).withName("data-vol-a-" + i).editStatus(p -> {
                p.setStatus(boundStatus("2Gi"));
                return p;
            });
        }
        settle("vol-a");
        ElectionCluster done = awaitStatus("vol-a", c -> StatusConditions.isTrue(c.getStatus().conditions,
                StatusConditions.READY));
        assertThat(condition(done, StatusConditions.RECONCILING).getReason()).isEqualTo("Converged");
        assertThat(client.apps().statefulSets().inNamespace(ns).withName("vol-a").get().getMetadata().getUid())
                .as("replaced once").isEqualTo(after.getMetadata().getUid());
    }

    @Test
    void aClassThatCannotGrowStallsWithTheFieldAndTheFix() {
        String ns = client.getNamespace();
        storageClass("fixed", false);
        readyCluster("vol-b", "fixed");
        Map<String, String> claimVersions = claimVersions("vol-b");
        assertThat(claimVersions).isEqualTo(versionsAtCreation.get("vol-b"));

        mergeSpec("vol-b", "{\"storage\": {\"size\": \"2Gi\", \"storageClassName\": \"fixed\"}}");

        ElectionCluster stalled = awaitStatus("vol-b", c -> StatusConditions.isTrue(c.getStatus().conditions,
                StatusConditions.STALLED));
        Condition c = condition(stalled, StatusConditions.STALLED);
        assertThat(c.getReason()).isEqualTo("VolumeResizeBlocked");
        assertThat(c.getMessage()).startsWith("spec.storage.size 2Gi needs data-vol-b-0, data-vol-b-1, data-vol-b-2 to grow, but ")
                .contains("StorageClass fixed does not allow volume expansion")
                .contains("set allowVolumeExpansion: true on StorageClass fixed");
        assertThat(condition(stalled, StatusConditions.RECONCILING).getStatus()).isEqualTo("False");
        assertThat(StatusConditions.isTrue(stalled.getStatus().conditions, StatusConditions.AVAILABLE)).isTrue();
        await().atMost(TIMEOUT).until(() -> events("vol-b").contains("VolumeResizeBlocked"));
        assertThat(claimVersions("vol-b")).as("no claim patched").isEqualTo(claimVersions);
        // Another reconcile while blocked (a new term): still stalled, no Event says otherwise.
        List<String> voters = List.of("vol-b-0", "vol-b-1", "vol-b-2");
        for (String member : voters) {
            FakeMembersResource.members.report(ns, member, member.equals("vol-b-1") ? "leader" : "follower", 3,
                    "vol-b-1", voters);
        }
        awaitStatus("vol-b", s -> Long.valueOf(3).equals(s.getStatus().term)
                && StatusConditions.isTrue(s.getStatus().conditions, StatusConditions.STALLED));
        assertThat(events("vol-b")).doesNotContain("Unstalled");

        // The administrator allows expansion: the operator grows the claims on its next look.
        storageClass("fixed", true);
        assertThat(client.storage().v1().storageClasses().withName("fixed").get().getAllowVolumeExpansion()).isTrue();
        await().atMost(TIMEOUT).until(() -> new Quantity("2Gi").equals(
                claim("vol-b", 0).getSpec().getResources().getRequests().get("storage")));
        awaitStatus("vol-b", s -> !StatusConditions.isTrue(s.getStatus().conditions, StatusConditions.STALLED));
        await().atMost(TIMEOUT).until(() -> events("vol-b").contains("Unstalled"));
        assertThat(events("vol-b").stream().filter("VolumeResizeBlocked"::equals).count()).as("warned once")
                .isEqualTo(1);
    }

    /** A cluster of three ready members on claims of 1Gi in the given class; returns the pods' uids. */
    private Map<String, String> readyCluster(String name, String storageClass) {
        FakeMembers fake = FakeMembersResource.members;
        String ns = client.getNamespace();
        List<String> voters = List.of(name + "-0", name + "-1", name + "-2");
        fake.report(ns, voters.get(0), "leader", 2, voters.get(0), voters);
        fake.report(ns, voters.get(1), "follower", 2, voters.get(0), voters);
        fake.report(ns, voters.get(2), "follower", 2, voters.get(0), voters);
        ElectionClusterSpec spec = new ElectionClusterSpec();
        spec.protocol = ConsensusProtocol.Raft;
        spec.replicas = 3;
        spec.image = "ballot/node:test";
        spec.storage = new StorageSpec("1Gi", storageClass);
        ElectionCluster ec = new ElectionCluster();
        ec.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(ns).build());
        ec.setSpec(spec);
        client.resource(ec).create();
        await().atMost(TIMEOUT).until(() -> client.apps().statefulSets().inNamespace(ns).withName(name).get() != null);
        Map<String, String> uids = new HashMap<>();
        for (int i = 0; i < 3; i++) {
            // What the StatefulSet controller and a provisioner make from the claim template.
            PersistentVolumeClaim pvc = new PersistentVolumeClaimBuilder()
                    .withNewMetadata().withName("data-" + name + "-" + i).withNamespace(ns)
                    .withLabels(Names.labels(name)).endMetadata()
                    .withNewSpec().withAccessModes("ReadWriteOnce").withStorageClassName(storageClass)
                    .withNewResources().addToRequests("storage", new Quantity("1Gi")).endResources().endSpec()
                    .build();
            client.resource(pvc).create();
            client.persistentVolumeClaims().inNamespace(ns).withName(pvc.getMetadata().getName()).editStatus(p -> {
                p.setStatus(boundStatus("1Gi"));
                return p;
            });
            uids.put(voters.get(i), runningPod(name, voters.get(i)));
        }
        versionsAtCreation.put(name, claimVersions(name));
        settle(name);
        awaitStatus(name, c -> StatusConditions.isTrue(c.getStatus().conditions, StatusConditions.READY));
        return uids;
    }

    /** What the StatefulSet controller reports once every pod runs the current revision. */
    private void settle(String name) {
        client.apps().statefulSets().inNamespace(client.getNamespace()).withName(name).editStatus(s -> {
            s.setStatus(new StatefulSetStatusBuilder().withReplicas(3).withReadyReplicas(3).withUpdatedReplicas(3)
                    .withCurrentRevision("rev-1").withUpdateRevision("rev-1")
                    .withObservedGeneration(s.getMetadata().getGeneration()).build());
            return s;
        });
    }

    private static io.fabric8.kubernetes.api.model.PersistentVolumeClaimStatus boundStatus(String capacity) {
        return new PersistentVolumeClaimStatusBuilder().withPhase("Bound")
                .addToCapacity("storage", new Quantity(capacity)).build();
    }

    private String runningPod(String cluster, String name) {
        Pod pod = new PodBuilder()
                .withNewMetadata().withName(name).withNamespace(client.getNamespace())
                .addToLabels(Names.labels(cluster)).addToLabels("controller-revision-hash", "rev-1").endMetadata()
                .withNewSpec().addNewContainer().withName("node").withImage("ballot/node:test").endContainer()
                .endSpec().build();
        client.resource(pod).create();
        return client.pods().inNamespace(client.getNamespace()).withName(name).editStatus(p -> {
            p.setStatus(new PodStatusBuilder().addNewCondition().withType("Ready").withStatus("True").endCondition()
                    .build());
            return p;
        }).getMetadata().getUid();
    }

    private void storageClass(String name, boolean expandable) {
        var existing = client.storage().v1().storageClasses().withName(name);
        if (existing.get() == null) {
            client.resource(new StorageClassBuilder().withNewMetadata().withName(name).endMetadata()
                    .withProvisioner("csi.example.dev").withAllowVolumeExpansion(expandable).build()).create();
        } else {
            existing.edit(sc -> {
                sc.setAllowVolumeExpansion(expandable);
                return sc;
            });
        }
    }

    private PersistentVolumeClaim claim(String cluster, int ordinal) {
        return client.persistentVolumeClaims().inNamespace(client.getNamespace())
                .withName("data-" + cluster + "-" + ordinal).get();
    }

    private Map<String, String> claimVersions(String cluster) {
        Map<String, String> versions = new HashMap<>();
        for (int i = 0; i < 3; i++) {
            versions.put("data-" + cluster + "-" + i, claim(cluster, i).getMetadata().getResourceVersion());
        }
        return versions;
    }

    private List<String> events(String cluster) {
        return client.v1().events().inNamespace(client.getNamespace()).list().getItems().stream()
                .filter(e -> cluster.equals(e.getInvolvedObject().getName())).map(e -> e.getReason()).toList();
    }

    private void mergeSpec(String name, String specJson) {
        client.resources(ElectionCluster.class).inNamespace(client.getNamespace()).withName(name)
                .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\": " + specJson + "}");
    }

    private ElectionCluster awaitStatus(String name, Predicate<ElectionCluster> condition) {
        return await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(50)).until(
                () -> client.resources(ElectionCluster.class).inNamespace(client.getNamespace()).withName(name).get(),
                c -> c != null && c.getStatus() != null && c.getStatus().conditions != null && condition.test(c));
    }

    private static Condition condition(ElectionCluster c, String type) {
        Condition found = StatusConditions.find(c.getStatus().conditions, type);
        assertThat(found).as("condition " + type).isNotNull();
        return found;
    }
}
