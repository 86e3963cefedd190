package dev.ballot.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ballot.operator.api.ActionStatus;
import dev.ballot.operator.api.ConsensusProtocol;
import dev.ballot.operator.api.ElectionCluster;
import dev.ballot.operator.api.ElectionClusterSpec;
import dev.ballot.operator.desired.Names;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.quarkus.test.common.http.TestHTTPResource;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * One-off actions end to end in the operator: annotations on the cluster, the executor's calls (a transfer to the
 * named member, a uid-guarded pod delete, a replace's claim and pod delete), and the acknowledgement in status.actions
 * and Events.
 */
@QuarkusTest
@WithKubernetesTestServer
@WithTestResource(FakeMembersResource.class)
class OneOffActionsTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final HttpClient SCRAPER = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @Inject
    KubernetesClient client;

    @TestHTTPResource("/q/metrics")
    URI metrics;

    @Test
    void transferRestartAndARefusalAreAcknowledgedInStatus() throws Exception {
        FakeMembers fake = FakeMembersResource.members;
        String ns = client.getNamespace();
        List<String> voters = List.of("raft-x-0", "raft-x-1", "raft-x-2");
        leader(fake, ns, voters, "raft-x-0", 2);
        ElectionCluster ec = new ElectionCluster();
        ec.setMetadata(new ObjectMetaBuilder().withName("raft-x").withNamespace(ns).build());
        ElectionClusterSpec spec = new ElectionClusterSpec();
        spec.protocol = ConsensusProtocol.Raft;
        spec.replicas = 3;
        spec.image = "ballot/node:test";
        ec.setSpec(spec);
        client.resource(ec).create();
        await().atMost(TIMEOUT).until(() -> client.apps().statefulSets().inNamespace(ns).withName("raft-x").get()
                != null);
        voters.forEach(p -> runningPod(p, "rev-1"));
        client.apps().statefulSets().inNamespace(ns).withName("raft-x").editStatus(s -> {
            s.setStatus(new StatefulSetStatusBuilder().withReplicas(3).withReadyReplicas(3).withUpdatedReplicas(3)
                    .withCurrentRevision("rev-1").withUpdateRevision("rev-1")
                    .withObservedGeneration(s.getMetadata().getGeneration()).build());
            return s;
        });
        await().atMost(TIMEOUT).until(() -> "Running".equals(get().getStatus() == null ? null
                : get().getStatus().phase));

        // transfer-leadership to a named member: the leader is asked, Done once that member leads.
        annotate("transfer-leadership", "raft-x-2", "t1");
        await().atMost(TIMEOUT).until(() -> fake.adminCalls(ns, "raft-x-0")
                .contains("POST /v1/admin/transfer-leadership {\"to\":\"raft-x-2\"}"));
        await().atMost(TIMEOUT).until(() -> "Running".equals(action("transfer-leadership").phase));
        leader(fake, ns, voters, "raft-x-2", 3);
        await().atMost(TIMEOUT).until(() -> "Done".equals(action("transfer-leadership").phase));
        assertThat(action("transfer-leadership").reason).isEqualTo("LeadershipMoved");
        assertThat(action("transfer-leadership").requestId).isEqualTo("t1");

        // restart-member: the pod of the recorded uid is deleted; Done once a new pod is ready.
        String oldUid = client.pods().inNamespace(ns).withName("raft-x-1").get().getMetadata().getUid();
        annotate("restart-member", "raft-x-1", "r1");
        await().atMost(TIMEOUT).until(() -> client.pods().inNamespace(ns).withName("raft-x-1").get() == null);
        await().atMost(TIMEOUT).until(() -> "Running".equals(action("restart-member").phase));
        assertThat(action("restart-member").targetPodUid)
                .as(() -> io.fabric8.kubernetes.client.utils.Serialization.asJson(get().getStatus().actions))
                .isEqualTo(oldUid);
        runningPod("raft-x-1", "rev-1");
        await().atMost(TIMEOUT).until(() -> "Done".equals(action("restart-member").phase));
        assertThat(client.pods().inNamespace(ns).withName("raft-x-1").get()).as("the new pod is left alone")
                .isNotNull();

        // A restart while another voter is down is refused: nothing deleted, a Warning Event.
        fake.down(ns, "raft-x-0");
        await().atMost(TIMEOUT).until(() -> get().getStatus().quorum.healthy == 2);
        annotate("restart-member", "raft-x-2", "r2");
        await().atMost(TIMEOUT).until(() -> "r2".equals(action("restart-member").requestId)
                && "Refused".equals(action("restart-member").phase));
        assertThat(action("restart-member").reason).isEqualTo("QuorumAtRisk");
        assertThat(client.pods().inNamespace(ns).withName("raft-x-2").get()).isNotNull();
        await().atMost(TIMEOUT).until(() -> client.v1().events().inNamespace(ns).list().getItems().stream()
                .anyMatch(e -> "raft-x".equals(e.getInvolvedObject().getName()) && "Warning".equals(e.getType())
                        && "ActionRefused".equals(e.getReason()) && e.getMessage().contains("request r2")));

        // The operator's gauges for this cluster on /q/metrics, gone once it is deleted.
        String labels = "{cluster=\"raft-x\",namespace=\"" + ns + "\"";
        try {
            await().atMost(TIMEOUT).until(() -> scrape().contains("ballot_operator_cluster_voters_up" + labels
                    + "} 2.0"));
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            assertThat(scrape()).as("the scrape").contains("ballot_operator_cluster_voters_up" + labels + "} 2.0");
        }
        assertThat(scrape()).contains("ballot_operator_cluster_leader_present" + labels + "} 1.0",
                "ballot_operator_cluster_term" + labels + "} 3.0",
                "ballot_operator_cluster_actions" + labels + ",phase=\"Refused\"} 1.0");

        // replace-member, every voter up again: the claim the pod mounts, then the pod, both of the recorded uid;
        // then it waits for the member to come back empty and be replaced.
        leader(fake, ns, voters, "raft-x-2", 3);
        await().atMost(TIMEOUT).until(() -> get().getStatus().quorum.healthy == 3);
        client.resource(new PersistentVolumeClaimBuilder().withNewMetadata().withName("data-raft-x-1")
                .withNamespace(ns).endMetadata().withNewSpec().withAccessModes("ReadWriteOnce").withNewResources()
                .addToRequests("storage", new Quantity("1Gi")).endResources().endSpec().build()).create();
        String replacedUid = client.pods().inNamespace(ns).withName("raft-x-1").get().getMetadata().getUid();
        annotate("replace-member", "raft-x-1", "p1");
        await().atMost(TIMEOUT).until(() -> client.pods().inNamespace(ns).withName("raft-x-1").get() == null
                && client.persistentVolumeClaims().inNamespace(ns).withName("data-raft-x-1").get() == null);
        await().atMost(TIMEOUT).until(() -> "Running".equals(action("replace-member").phase)
                && "Restarting".equals(action("replace-member").reason));
        assertThat(action("replace-member").targetPodUid).isEqualTo(replacedUid);
        await().atMost(TIMEOUT).until(() -> client.v1().events().inNamespace(ns).list().getItems().stream()
                .anyMatch(e -> "raft-x".equals(e.getInvolvedObject().getName())
                        && "ReplacingMember".equals(e.getReason())
                        && e.getMessage().startsWith("deleted claim data-raft-x-1 and pod raft-x-1")));

        client.resources(ElectionCluster.class).inNamespace(ns).withName("raft-x").delete();
        await().atMost(TIMEOUT).until(() -> !scrape().contains("cluster=\"raft-x\""));
    }

    /**
     * HTTP/1.1 and deadlines: a CI run hung here for good when the JDK client's default HTTP/2 upgrade got no answer
     * from the operator's server (the request has no deadline by default).
     */
    private String scrape() throws Exception {
        HttpResponse<String> r = SCRAPER.send(HttpRequest.newBuilder(metrics).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        return r.body().replace(",}", "}"); // the exposition format's optional trailing comma
    }

    private static void leader(FakeMembers fake, String ns, List<String> voters, String leader, long term) {
        for (String p : voters) {
            fake.report(ns, p, p.equals(leader) ? "leader" : "follower", term, leader, voters);
        }
    }

    private void annotate(String action, String target, String id) {
        client.resources(ElectionCluster.class).inNamespace(client.getNamespace()).withName("raft-x")
                .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"metadata\": {\"annotations\": {\"ballot.dev/"
                        + action + "\": \"" + target + "\", \"ballot.dev/" + action + "-id\": \"" + id + "\"}}}");
    }

    private ElectionCluster get() {
        return client.resources(ElectionCluster.class).inNamespace(client.getNamespace()).withName("raft-x").get();
    }

    private ActionStatus action(String name) {
        ElectionCluster c = get();
        return c.getStatus() == null || c.getStatus().actions == null ? new ActionStatus()
                : c.getStatus().actions.stream().filter(a -> name.equals(a.name)).findFirst()
                .orElse(new ActionStatus());
    }

    private void runningPod(String name, String revision) {
        Pod pod = new PodBuilder()
                .withNewMetadata().withName(name).withNamespace(client.getNamespace())
                .addToLabels(Names.labels("raft-x"))
                .addToLabels("controller-revision-hash", revision).endMetadata()
                .withNewSpec().addNewContainer().withName("node").withImage("ballot/node:test").endContainer()
                .addNewVolume().withName("data").withNewPersistentVolumeClaim().withClaimName("data-" + name)
                .endPersistentVolumeClaim().endVolume()
                .endSpec().build();
        client.resource(pod).create();
        client.pods().inNamespace(client.getNamespace()).withName(name).editStatus(p -> {
            p.setStatus(new PodStatusBuilder().addNewCondition().withType("Ready").withStatus("True").endCondition()
                    .build());
            return p;
        });
    }
}
