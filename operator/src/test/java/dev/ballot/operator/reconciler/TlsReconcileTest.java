package dev.ballot.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ballot.nodeapi.tls.CertIdentity;
import dev.ballot.nodeapi.tls.TlsMaterial;
import dev.ballot.operator.api.ConsensusProtocol;
import dev.ballot.operator.api.ElectionCluster;
import dev.ballot.operator.api.ElectionClusterSpec;
import dev.ballot.operator.api.TlsSpec;
import dev.ballot.operator.certs.CaRotationPlanner.MemberTls;
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

        // the operator writes the CA, the members', the operator's and the clients' Secrets one after another
        await().atMost(TIMEOUT).until(() -> List.of("sec-ca", "sec-tls", "sec-operator-tls", "sec-client-app",
                "sec-client-reports").stream().allMatch(n -> secret(n) != null));
        Secret members = secret("sec-tls");
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

    /**
     * ballot.dev/rotate-ca through every step against the mock API server's Secrets, the members reporting what their
     * mounted Secret holds only when the test "reloads" them: each step waits for the slowest member, and no member is
     * ever given a certificate a peer (or the operator) does not trust yet. A new {@link ClusterCertificates} between
     * steps is an operator restart: where the rotation stands is read back from the CA Secret. (The cluster lives only
     * here, not in the API server, so the running operator leaves its Secrets alone; the loopback fake members serve
     * plain HTTP, which a TLS cluster's operator does not speak to.)
     */
    @Test
    void anOnDemandCaRotationTrustsThenSignsThenDropsTheOldCaEachStepWaitingForEveryMember() throws Exception {
        String ns = client.getNamespace();
        ElectionCluster ec = new ElectionCluster();
        ec.setMetadata(new ObjectMetaBuilder().withName("rot").withNamespace(ns)
                .withUid("00000000-0000-0000-0000-00000000c0a7").build());
        List<dev.ballot.operator.desired.MemberEndpoint> members = new java.util.ArrayList<>();
        for (int i = 0; i < 3; i++) {
            members.add(new dev.ballot.operator.desired.MemberEndpoint("rot-" + i, i + 1, true,
                    dev.ballot.operator.desired.Names.peerHost("rot", ns, i)));
        }
        List<String> pods = List.of("rot-0", "rot-1", "rot-2");
        List<String> clients = List.of("app");
        java.util.Map<String, MemberTls> seen = new java.util.LinkedHashMap<>();
        java.time.Instant now = java.time.Instant.now();
        ClusterCertificates.Result first = new ClusterCertificates(client).ensure(ec, members, clients, now, seen);
        assertThat(first.status().caRotation).isNull();
        X509Certificate oldCa = TlsMaterial.parseCertificates(text(secret("rot-ca"), "ca.crt"), "ca").get(0);
        String oldLeaf = text(secret("rot-tls"), "rot-1.crt");
        String oldApp = text(secret("rot-client-app"), "tls.crt");

        // Nodes from before the status field 'tls': the rotation starts, and waits on them.
        ec.getMetadata().setAnnotations(java.util.Map.of("ballot.dev/rotate-ca", "leak-1"));
        pods.forEach(p -> seen.put(p, MemberTls.of(null)));
        ClusterCertificates operator = new ClusterCertificates(client);
        ClusterCertificates.Result r = operator.ensure(ec, members, clients, now, seen);
        assertThat(r.events()).extracting(e -> e.reason()).contains("CaRotationTrusting");
        r = operator.ensure(ec, members, clients, now, seen);
        assertThat(r.status().caRotation).isEqualTo("Trusting");
        assertThat(r.status().caRotationWaitingFor).startsWith("rot-0 does not report its TLS material");
        X509Certificate newCa = TlsMaterial.parseCertificates(text(secret("rot-ca"), "next.crt"), "next").get(0);
        assertThat(text(secret("rot-ca"), "ca.crt")).as("the old CA still signs").isEqualTo(pem(oldCa));
        for (String s : List.of("rot-tls", "rot-operator-tls", "rot-client-app")) {
            assertThat(bundle(s)).as("%s trusts both", s).containsExactly(oldCa, newCa);
        }
        assertThat(r.operator().authorities()).as("the operator's own trust").containsExactly(oldCa, newCa);
        assertThat(text(secret("rot-tls"), "rot-1.crt")).as("no certificate changes yet").isEqualTo(oldLeaf);
        assertThat(text(secret("rot-client-app"), "tls.crt")).isEqualTo(oldApp);

        // Two members reload; the third does not answer: the step holds on it, naming it, across a restart.
        reload(seen, "rot-0");
        reload(seen, "rot-1");
        seen.put("rot-2", MemberTls.NOT_ANSWERING);
        r = new ClusterCertificates(client).ensure(ec, members, clients, now, seen);
        assertThat(r.status().caRotation).isEqualTo("Trusting");
        assertThat(r.status().caRotationWaitingFor).isEqualTo("rot-2 does not answer");
        assertThat(secret("rot-ca").getData()).as("not signing yet").containsKey("next.crt");

        // It answers with the new bundle loaded: the new CA signs, every certificate is issued again.
        reload(seen, "rot-2");
        operator = new ClusterCertificates(client);
        r = operator.ensure(ec, members, clients, now, seen);
        assertThat(r.events()).extracting(e -> e.reason()).contains("CaRotationSigning", "CertificatesIssued");
        assertThat(r.status().caRotation).isEqualTo("Signing");
        assertThat(TlsMaterial.parseCertificates(text(secret("rot-ca"), "ca.crt"), "ca").get(0)).isEqualTo(newCa);
        assertThat(TlsMaterial.parseCertificates(text(secret("rot-ca"), "previous.crt"), "prev").get(0)).isEqualTo(oldCa);
        for (String p : pods) {
            TlsMaterial.parseCertificates(text(secret("rot-tls"), p + ".crt"), p).get(0).verify(newCa.getPublicKey());
        }
        TlsMaterial.parseCertificates(text(secret("rot-client-app"), "tls.crt"), "app").get(0).verify(newCa.getPublicKey());
        r.operator().leaf().verify(newCa.getPublicKey());
        for (String s : List.of("rot-tls", "rot-operator-tls", "rot-client-app")) {
            assertThat(bundle(s)).as("%s: new + previous", s).containsExactly(newCa, oldCa);
        }

        // Every member presents a certificate of the new CA: the old one leaves every bundle.
        reload(seen, "rot-0");
        reload(seen, "rot-1");
        r = operator.ensure(ec, members, clients, now, seen);
        assertThat(r.status().caRotationWaitingFor).isEqualTo("rot-2 does not present a certificate of the new CA yet");
        reload(seen, "rot-2");
        r = operator.ensure(ec, members, clients, now, seen);
        assertThat(r.events()).extracting(e -> e.reason()).contains("CaRotationDropping");
        assertThat(r.status().caRotation).isEqualTo("Dropping");
        for (String s : List.of("rot-tls", "rot-operator-tls", "rot-client-app")) {
            assertThat(bundle(s)).as("%s: the new CA alone", s).containsExactly(newCa);
        }
        assertThat(r.operator().authorities()).containsExactly(newCa);

        // Once no member trusts the old CA, the rotation ends and the request is acknowledged, and stays so.
        r = operator.ensure(ec, members, clients, now, seen);
        assertThat(r.status().caRotationWaitingFor).startsWith("rot-0 still trusts the old CA");
        pods.forEach(p -> reload(seen, p));
        r = operator.ensure(ec, members, clients, now, seen);
        assertThat(r.events()).extracting(e -> e.reason()).contains("CaRotationDone");
        assertThat(r.status().caRotation).isNull();
        assertThat(r.status().caRotationRequest).isEqualTo("leak-1");
        assertThat(secret("rot-ca").getData()).doesNotContainKeys("previous.crt", "next.crt");
        r = new ClusterCertificates(client).ensure(ec, members, clients, now, seen);
        assertThat(r.events()).as("nothing more after a restart").isEmpty();
        assertThat(r.status().caRotationRequest).isEqualTo("leak-1");

        // The scheduled renewal (the CA at two thirds of its life) takes the first two steps and keeps the old CA.
        java.time.Instant due = now.plus(java.time.Duration.ofDays(2 * 365 + 1));
        r = new ClusterCertificates(client).ensure(ec, members, clients, due, seen);
        assertThat(r.status().caRotation).isEqualTo("Trusting");
        X509Certificate third = TlsMaterial.parseCertificates(text(secret("rot-ca"), "next.crt"), "next").get(0);
        pods.forEach(p -> reload(seen, p));
        r = new ClusterCertificates(client).ensure(ec, members, clients, due, seen);
        assertThat(r.status().caRotation).isEqualTo("Signing");
        pods.forEach(p -> reload(seen, p));
        r = new ClusterCertificates(client).ensure(ec, members, clients, due, seen);
        assertThat(r.events()).extracting(e -> e.reason()).contains("CaRotationDone");
        assertThat(r.status().caRotation).isNull();
        assertThat(bundle("rot-tls")).as("the previous CA stays trusted until it expires").containsExactly(third, newCa);
    }

    /** A member "reloads" its mounted Secret: it reports what the members Secret holds for it now. */
    private void reload(java.util.Map<String, MemberTls> seen, String pod) {
        try {
            Secret s = secret("rot-tls");
            TlsMaterial m = new TlsMaterial(TlsMaterial.parsePrivateKey(text(s, pod + ".key"), pod),
                    TlsMaterial.parseCertificates(text(s, pod + ".crt"), pod),
                    TlsMaterial.parseCertificates(text(s, "ca.crt"), "ca"));
            seen.put(pod, MemberTls.of(dev.ballot.nodeapi.tls.Fingerprints.report(m)));
        } catch (dev.ballot.nodeapi.tls.TlsException e) {
            throw new AssertionError(e);
        }
    }

    private List<X509Certificate> bundle(String secret) throws Exception {
        return TlsMaterial.parseCertificates(text(secret(secret), "ca.crt"), secret);
    }

    private static String pem(X509Certificate c) {
        return dev.ballot.nodeapi.tls.CertificateAuthority.pem(c);
    }

    private Secret secret(String name) {
        return client.secrets().inNamespace(client.getNamespace()).withName(name).get();
    }

    private static String text(Secret s, String key) {
        return new String(Base64.getDecoder().decode(s.getData().get(key)), StandardCharsets.US_ASCII);
    }

}
