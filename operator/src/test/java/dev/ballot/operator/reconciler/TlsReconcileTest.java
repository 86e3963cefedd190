package dev.ballot.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ballot.nodeapi.tls.CertIdentity;
import dev.ballot.nodeapi.tls.TlsMaterial;
import dev.ballot.operator.api.ConsensusProtocol;
import dev.ballot.operator.api.ElectionCluster;
import dev.ballot.operator.api.ElectionClusterSpec;
import dev.ballot.operator.api.TlsSpec;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/** spec.tls and spec.clients against the fabric8 mock API server: the Secrets the operator keeps and the pods' mounts. */
@QuarkusTest
@WithKubernetesTestServer
@WithTestResource(FakeMembersResource.class)
class TlsReconcileTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    @Inject
    KubernetesClient client;

    @Test
    void theOperatorKeepsACaAndIssuesMemberOperatorAndClientCertificates() throws Exception {
        ElectionClusterSpec spec = new ElectionClusterSpec();
        spec.protocol = ConsensusProtocol.Raft;
        spec.replicas = 3;
        spec.image = "ballot/node:test";
        spec.tls = new TlsSpec(true, TlsSpec.ClientAuth.Optional);
        spec.clients = List.of("app", "reports");
        ElectionCluster ec = new ElectionCluster();
        ec.setMetadata(new ObjectMetaBuilder().withName("sec").withNamespace(client.getNamespace()).build());
        ec.setSpec(spec);
        client.resource(ec).create();
        String ns = client.getNamespace();

        Secret members = await().atMost(TIMEOUT).until(() -> secret("sec-tls"), s -> s != null);
        X509Certificate ca = TlsMaterial.parseCertificates(text(secret("sec-ca"), "ca.crt"), "ca").get(0);
        assertThat(members.getData()).containsKeys("ca.crt", "sec-0.crt", "sec-0.key", "sec-1.crt", "sec-2.key");
        X509Certificate m1 = TlsMaterial.parseCertificates(text(members, "sec-1.crt"), "m1").get(0);
        m1.verify(ca.getPublicKey());
        assertThat(CertIdentity.memberMismatch(m1, "sec", "sec-1", "sec-1.sec-peers." + ns + ".svc")).isNull();
        assertThat(CertIdentity.dnsNames(m1)).contains("sec-1.sec-peers." + ns + ".svc", "sec-client." + ns + ".svc");
        assertThat(CertIdentity.memberMismatch(m1, "sec", "sec-2", "sec-2.sec-peers." + ns + ".svc")).isNotNull();
        X509Certificate operator = TlsMaterial.parseCertificates(text(secret("sec-operator-tls"), "tls.crt"), "op").get(0);
        assertThat(CertIdentity.isOperator(operator)).isTrue();
        for (String c : List.of("app", "reports")) {
            Secret s = secret("sec-client-" + c);
            assertThat(s).as("client Secret for %s", c).isNotNull();
            assertThat(s.getData()).containsKeys("tls.crt", "tls.key", "ca.crt");
            X509Certificate cert = TlsMaterial.parseCertificates(text(s, "tls.crt"), c).get(0);
            assertThat(CertIdentity.isOperator(cert)).isFalse();
            assertThat(CertIdentity.memberMismatch(cert, "sec", "sec-0", "sec-0.sec-peers." + ns + ".svc")).isNotNull();
        }

        StatefulSet sts = await().atMost(TIMEOUT).until(
                () -> client.apps().statefulSets().inNamespace(ns).withName("sec").get(), s -> s != null);
        var pod = sts.getSpec().getTemplate().getSpec();
        assertThat(pod.getVolumes().stream().filter(v -> v.getSecret() != null).map(v -> v.getSecret().getSecretName()))
                .containsExactly("sec-tls");
        var node = pod.getContainers().get(0);
        assertThat(node.getEnv()).anySatisfy(e -> {
            assertThat(e.getName()).isEqualTo("BALLOT_TLS_DIR");
            assertThat(e.getValue()).isEqualTo("/etc/ballot/tls");
        });
        assertThat(node.getReadinessProbe().getHttpGet().getScheme()).isEqualTo("HTTPS");

        ElectionCluster withStatus = await().atMost(TIMEOUT).until(() -> client.resources(ElectionCluster.class)
                .inNamespace(ns).withName("sec").get(), c -> c.getStatus() != null && c.getStatus().tls != null);
        assertThat(withStatus.getStatus().tls.caNotAfter).isEqualTo(ca.getNotAfter().toInstant().toString());
        assertThat(withStatus.getStatus().tls.nextNotAfter).isNotNull();

        // A client removed from the spec loses its Secret; the CA and the others stay.
        // An edit (the mock server's merge patch appends to arrays instead of replacing them).
        ConflictRetry.edit(client.resources(ElectionCluster.class).inNamespace(ns).withName("sec"), c -> {
            c.getSpec().clients = List.of("app");
            return c;
        });
        await().atMost(TIMEOUT).until(() -> secret("sec-client-reports") == null);
        assertThat(secret("sec-client-app")).isNotNull();
        assertThat(text(secret("sec-ca"), "ca.crt")).isEqualTo(dev.ballot.nodeapi.tls.CertificateAuthority.pem(ca));

        // ballot.dev/rotate-certificates: every certificate is issued again now by the same CA, and acknowledged.
        String before1 = text(secret("sec-tls"), "sec-1.crt");
        // a member pod (the mock runs no StatefulSet controller): annotated once its certificates change, so that
        // its kubelet mounts the new Secret at once
        client.pods().inNamespace(ns).resource(new io.fabric8.kubernetes.api.model.PodBuilder().withNewMetadata()
                .withName("sec-1").endMetadata().build()).create();
        String beforeApp = text(secret("sec-client-app"), "tls.crt");
        String beforeOperator = text(secret("sec-operator-tls"), "tls.crt");
        // a merge patch without resourceVersion, as kubectl annotate sends: the operator writes status meanwhile
        client.resources(ElectionCluster.class).inNamespace(ns).withName("sec").patch(
                io.fabric8.kubernetes.client.dsl.base.PatchContext.of(io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE),
                "{\"metadata\":{\"annotations\":{\"ballot.dev/rotate-certificates\":\"r1\"}}}");
        await().atMost(TIMEOUT).until(() -> client.resources(ElectionCluster.class).inNamespace(ns).withName("sec").get(),
                c -> c.getStatus() != null && c.getStatus().tls != null && "r1".equals(c.getStatus().tls.rotationRequest));
        assertThat(text(secret("sec-tls"), "sec-1.crt")).as("a member's certificate").isNotEqualTo(before1);
        assertThat(text(secret("sec-client-app"), "tls.crt")).as("a client's").isNotEqualTo(beforeApp);
        assertThat(text(secret("sec-operator-tls"), "tls.crt")).as("the operator's").isNotEqualTo(beforeOperator);
        X509Certificate renewed = TlsMaterial.parseCertificates(text(secret("sec-tls"), "sec-1.crt"), "m1").get(0);
        renewed.verify(ca.getPublicKey());
        assertThat(text(secret("sec-ca"), "ca.crt")).as("the CA stays").isEqualTo(dev.ballot.nodeapi.tls.CertificateAuthority.pem(ca));
        String rotatedVersion = secret("sec-tls").getMetadata().getResourceVersion();
        await().atMost(TIMEOUT).untilAsserted(() -> assertThat(client.pods().inNamespace(ns).withName("sec-1").get()
                .getMetadata().getAnnotations()).containsEntry(MountedSecretRefresh.ANNOTATION, rotatedVersion));
    }

    private Secret secret(String name) {
        return client.secrets().inNamespace(client.getNamespace()).withName(name).get();
    }

    private static String text(Secret s, String key) {
        return new String(Base64.getDecoder().decode(s.getData().get(key)), StandardCharsets.US_ASCII);
    }

}
