package dev.ballot.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ballot.nodeapi.tls.TlsMaterial;
import dev.ballot.operator.api.ConsensusProtocol;
import dev.ballot.operator.api.ElectionCluster;
import dev.ballot.operator.api.ElectionClusterSpec;
import dev.ballot.operator.api.TlsSpec;
import dev.ballot.operator.certs.CertManagerSecrets;
import dev.ballot.operator.status.StatusConditions;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * spec.tls.certificates: Provided against the fabric8 mock API server, with Secrets in cert-manager's layout made as
 * cert-manager's CA issuer makes them: refused with a condition naming the Secret while one is missing or wrong, then
 * copied for the members, expiry in status, a renewal copied again.
 */
@QuarkusTest
@WithKubernetesTestServer
@WithTestResource(FakeMembersResource.class)
class ProvidedCertificatesReconcileTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @Inject
    KubernetesClient client;

    @Test
    void theUsersSecretsAreCheckedCopiedForTheMembersAndReloadedWhenRenewed() throws Exception {
        String ns = client.getNamespace();
        CertManagerSecrets issuer = new CertManagerSecrets("pc", ns, Instant.now());
        // Two members' Secrets and the operator's: the third member's is missing.
        for (int i = 0; i < 2; i++) {
            put("pc-" + i + "-member-tls", issuer.member(i, Duration.ofDays(90)));
        }
        put("pc-operator-tls", issuer.operator());

        ElectionClusterSpec spec = new ElectionClusterSpec();
        spec.protocol = ConsensusProtocol.Raft;
        spec.replicas = 3;
        spec.image = "ballot/node:test";
        spec.tls = new TlsSpec(true, TlsSpec.ClientAuth.Optional);
        spec.tls.certificates = TlsSpec.Certificates.Provided;
        ElectionCluster ec = new ElectionCluster();
        ec.setMetadata(new ObjectMetaBuilder().withName("pc").withNamespace(ns).build());
        ec.setSpec(spec);
        client.resource(ec).create();

        Condition refused = await().atMost(TIMEOUT).until(() -> condition(), c -> c != null && "False".equals(c.getStatus()));
        assertThat(refused.getReason()).isEqualTo("InvalidSecret");
        assertThat(refused.getMessage()).startsWith("Secret pc-2-member-tls (member/pc-2): not found");
        assertThat(secret("pc-tls")).as("nothing copied while one is missing").isNull();
        assertThat(client.apps().statefulSets().inNamespace(ns).withName("pc").get()).as("no pod could start yet").isNull();

        // The third one, first with the wrong names, then right.
        put("pc-2-member-tls", issuer.memberWithNames(List.of("DNS:pc-2.example.com"), Duration.ofDays(90)));
        await().atMost(TIMEOUT).until(() -> condition(), c -> c != null && c.getMessage().contains("pc-2-member-tls")
                && c.getMessage().contains("lack pc-2.pc-peers." + ns + ".svc, pc-client." + ns + ".svc"));
        Map<String, String> third = issuer.member(2, Duration.ofDays(30));
        put("pc-2-member-tls", third);
        await().atMost(TIMEOUT).until(() -> condition(), c -> c != null && "True".equals(c.getStatus()));
        Secret mounted = await().atMost(TIMEOUT).until(() -> secret("pc-tls"), s -> s != null);
        assertThat(mounted.getData()).containsKeys("ca.crt", "pc-0.crt", "pc-0.key", "pc-1.crt", "pc-2.crt", "pc-2.key");
        assertThat(text(mounted, "pc-2.crt")).isEqualTo(third.get("tls.crt"));
        assertThat(TlsMaterial.parseCertificates(text(mounted, "ca.crt"), "ca")).hasSize(1);
        StatefulSet sts = await().atMost(TIMEOUT).until(
                () -> client.apps().statefulSets().inNamespace(ns).withName("pc").get(), s -> s != null);
        assertThat(sts.getSpec().getTemplate().getSpec().getVolumes().stream().filter(v -> v.getSecret() != null)
                .map(v -> v.getSecret().getSecretName())).containsExactly("pc-tls");
        ElectionCluster withTls = await().atMost(TIMEOUT).until(() -> cluster(),
                c -> c.getStatus() != null && c.getStatus().tls != null && c.getStatus().tls.nextNotAfter != null);
        assertThat(withTls.getStatus().tls.nextExpiring).as("the 30-day one expires first").isEqualTo("member/pc-2");
        assertThat(withTls.getStatus().tls.nextNotAfter).isEqualTo(
                TlsMaterial.parseCertificates(third.get("tls.crt"), "pc-2").get(0).getNotAfter().toInstant().toString());
        assertThat(client.secrets().inNamespace(ns).withName("pc-ca").get()).as("no CA of the operator's").isNull();

        // cert-manager renews member 0: the operator copies the new certificate for the members to reload.
        Map<String, String> renewed = issuer.member(0, Duration.ofDays(90));
        put("pc-0-member-tls", renewed);
        // read again after ballot.tls.provided-recheck-interval (3 s in tests)
        await().atMost(TIMEOUT).until(() -> text(secret("pc-tls"), "pc-0.crt").equals(renewed.get("tls.crt")));
        // Events go out from a background thread
        await().atMost(TIMEOUT).untilAsserted(() -> assertThat(client.v1().events().inNamespace(ns).list().getItems())
                .anySatisfy(e -> {
                    assertThat(e.getReason()).isEqualTo("InvalidCertificateSecret");
                    assertThat(e.getType()).isEqualTo("Warning");
                }).anySatisfy(e -> assertThat(e.getReason()).isEqualTo("CertificatesLoaded")));

        // A rotation request has nothing to act on without the operator's CA: one Warning says so and what to do.
        client.resources(ElectionCluster.class).inNamespace(ns).withName("pc")
                .edit(c -> {
                    Map<String, String> annotations = new java.util.HashMap<>();
                    if (c.getMetadata().getAnnotations() != null) {
                        annotations.putAll(c.getMetadata().getAnnotations());
                    }
                    annotations.put("ballot.dev/rotate-ca", "leak-1");
                    c.getMetadata().setAnnotations(annotations);
                    return c;
                });
        await().atMost(TIMEOUT).untilAsserted(() -> assertThat(client.v1().events().inNamespace(ns).list().getItems()
                .stream().filter(e -> "RotationNotApplicable".equals(e.getReason())))
                .singleElement().satisfies(e -> {
                    assertThat(e.getType()).isEqualTo("Warning");
                    assertThat(e.getMessage()).startsWith("ballot.dev/rotate-ca=leak-1 has no effect with"
                            + " spec.tls.certificates: Provided").contains("cmctl renew");
                }));
    }

    @Test
    void rotationRequestsAreNamedWithTheirValues() {
        assertThat(ProvidedCertificates.rotationRequests(null)).isNull();
        assertThat(ProvidedCertificates.rotationRequests(Map.of("other", "x", "ballot.dev/rotate-ca", " "))).isNull();
        assertThat(ProvidedCertificates.rotationRequests(Map.of("ballot.dev/rotate-certificates", "1",
                "ballot.dev/rotate-ca", "2"))).isEqualTo("ballot.dev/rotate-certificates=1; ballot.dev/rotate-ca=2");
    }

    private ElectionCluster cluster() {
        return client.resources(ElectionCluster.class).inNamespace(client.getNamespace()).withName("pc").get();
    }

    private Condition condition() {
        ElectionCluster c = cluster();
        return c == null || c.getStatus() == null ? null
                : StatusConditions.find(c.getStatus().conditions, ProvidedCertificates.CONDITION);
    }

    private void put(String name, Map<String, String> data) {
        Map<String, String> encoded = new LinkedHashMap<>();
        data.forEach((k, v) -> encoded.put(k, Base64.getEncoder().encodeToString(v.getBytes(StandardCharsets.US_ASCII))));
        client.secrets().inNamespace(client.getNamespace()).resource(new SecretBuilder().withNewMetadata().withName(name)
                .endMetadata().withType("kubernetes.io/tls").withData(encoded).build()).createOr(o -> o.update());
    }

    private Secret secret(String name) {
        return client.secrets().inNamespace(client.getNamespace()).withName(name).get();
    }

    private static String text(Secret s, String key) {
        return new String(Base64.getDecoder().decode(s.getData().get(key)), StandardCharsets.US_ASCII);
    }
}
