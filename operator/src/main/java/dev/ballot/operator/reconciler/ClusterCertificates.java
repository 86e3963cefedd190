package dev.ballot.operator.reconciler;

import dev.ballot.nodeapi.tls.CertIdentity;
import dev.ballot.nodeapi.tls.CertificateAuthority;
import dev.ballot.nodeapi.tls.TlsException;
import dev.ballot.nodeapi.tls.TlsMaterial;
import dev.ballot.operator.api.ElectionCluster;
import dev.ballot.operator.api.TlsStatus;
import dev.ballot.operator.certs.CaRotationPlanner;
import dev.ballot.operator.certs.CertificatePlanner;
import dev.ballot.operator.certs.CertificatePlanner.Held;
import dev.ballot.operator.certs.WantedCertificates;
import dev.ballot.operator.desired.MemberEndpoint;
import dev.ballot.operator.desired.Names;
import dev.ballot.operator.status.EventToPublish;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;

import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The edge of a cluster's certificates: reads its Secrets, asks {@link CaRotationPlanner} which step of a CA rotation
 * to take (from what the members report of their TLS material) and {@link CertificatePlanner} what to issue, issues with
 * BouncyCastle ({@link CertificateAuthority}) and writes the Secrets back, owned by the cluster (deleted with it).
 * Secrets: {@code <name>-ca} (the CAs and where a rotation stands, {@link ClusterCa}), {@code <name>-tls} (every member's {@code <pod>.crt}/{@code <pod>.key} and {@code ca.crt}),
 * {@code <name>-operator-tls} and {@code <name>-client-<client>} (cert-manager's layout).
 */
final class ClusterCertificates {
    static final String CERTIFICATE_LABEL = "ballot.dev/certificate";
    static final String OPERATOR = "operator";
    static final String MEMBER_PREFIX = "member/";
    static final String CLIENT_PREFIX = "client/";

    /** What a cluster's certificates came to: its status, the Events to publish, the operator's own certificate. */
    record Result(TlsStatus status, List<EventToPublish> events, TlsMaterial operator) {
    }

    /** Secrets are read again at least this often, even when no certificate is due (one deleted by hand). */
    static final java.time.Duration RECHECK = java.time.Duration.ofMinutes(10);

    private record Checked(String uid, Map<String, Set<String>> wanted, Result result, Instant nextCheck) {
    }

    private final KubernetesClient client;
    /** Per cluster: what the last check found, so that a reconcile with nothing due reads no Secret. */
    private final Map<String, Checked> checked = new java.util.concurrent.ConcurrentHashMap<>();

    ClusterCertificates(KubernetesClient client) {
        this.client = client;
    }

    Result ensure(ElectionCluster cluster, List<MemberEndpoint> members, List<String> clients, Instant now) {
        return ensure(cluster, members, clients, now, Map.of());
    }

    /** @param reports what each member reports of its TLS material (for a CA rotation's steps), by member name */
    Result ensure(ElectionCluster cluster, List<MemberEndpoint> members, List<String> clients, Instant now,
                  Map<String, CaRotationPlanner.MemberTls> reports) {
        String ns = cluster.getMetadata().getNamespace();
        String name = cluster.getMetadata().getName();
        Map<String, Set<String>> wanted = WantedCertificates.of(name, ns, members, clients);
        String key = ns + "/" + name;
        Checked last = checked.get(key);
        boolean sameCluster = last != null && java.util.Objects.equals(last.uid(), cluster.getMetadata().getUid());
        String requested = cluster.getMetadata().getAnnotations() == null ? null
                : cluster.getMetadata().getAnnotations().get(CertificatePlanner.ROTATE_CERTIFICATES);
        // what this process did last wins over a status that may not show it yet
        String acknowledged = sameCluster && last.result().status().rotationRequest != null
                ? last.result().status().rotationRequest : lastRotation(cluster);
        boolean rotate = CertificatePlanner.rotationRequested(requested, acknowledged);
        String caRequested = cluster.getMetadata().getAnnotations() == null ? null
                : cluster.getMetadata().getAnnotations().get(CaRotationPlanner.ROTATE_CA);
        // a CA rotation moves on as members report, so it is checked at every reconcile until it ends
        boolean caRotating = sameCluster && (last.result().status().caRotation != null
                || CertificatePlanner.rotationRequested(caRequested, last.result().status().caRotationRequest));
        if (!rotate && !caRotating && sameCluster && last.wanted().equals(wanted) && now.isBefore(last.nextCheck())) {
            return new Result(last.result().status(), List.of(), last.result().operator());
        }
        List<String> memberNames = members.stream().map(MemberEndpoint::name).toList();
        Result result = check(cluster, wanted, clients, now, rotate
                ? "renewal requested (" + CertificatePlanner.ROTATE_CERTIFICATES + ": " + requested + ")" : null,
                caRequested, memberNames, reports);
        result.status().rotationRequest = rotate ? requested : acknowledged;
        Instant next = now.plus(RECHECK);
        if (result.status().nextNotAfter != null) {
            Instant due = Instant.parse(result.status().nextNotAfter).minus(CertificatePlanner.CERT_VALIDITY.dividedBy(3));
            next = due.isBefore(next) ? due : next;
        }
        checked.put(key, new Checked(cluster.getMetadata().getUid(), wanted, result, next));
        return result;
    }

    private Result check(ElectionCluster cluster, Map<String, Set<String>> wanted, List<String> clients, Instant now,
                         String renewAll, String caRequested, List<String> memberNames,
                         Map<String, CaRotationPlanner.MemberTls> reports) {
        String ns = cluster.getMetadata().getNamespace();
        String name = cluster.getMetadata().getName();

        ClusterCa keys = ClusterCa.read(get(ns, Names.caSecret(name)));
        List<EventToPublish> events = new ArrayList<>();
        Instant lastIssued = null;
        String waitingFor = null;
        if (keys.current() == null) {
            CertificateAuthority fresh = newCa(ns, name, now);
            keys = new ClusterCa(fresh, null, null, null, null, keys.done());
            write(cluster, Names.caSecret(name), "ca", keys.data());
            events.add(EventToPublish.normal("CaIssued", "made a new CA for the cluster's certificates (the cluster "
                    + "has no usable CA yet); valid until " + fresh.certificate().getNotAfter().toInstant()));
            lastIssued = now;
        } else {
            CaStep step = CaStep.take(keys, CaRotationPlanner.plan(now, keys.state(), caRequested, memberNames, reports),
                    () -> newCa(ns, name, now));
            if (step.event() != null) {
                keys = step.keys();
                write(cluster, Names.caSecret(name), "ca", keys.data());
                events.add(step.event());
                lastIssued = step.signed() ? now : null;
            }
            waitingFor = step.waitingFor();
        }
        CertificateAuthority ca = keys.current();
        Secret memberSecret = get(ns, Names.memberTlsSecret(name));
        Secret operatorSecret = get(ns, Names.operatorTlsSecret(name));
        Map<String, Secret> clientSecrets = new LinkedHashMap<>();
        for (Secret s : client.secrets().inNamespace(ns).withLabel(Names.LABEL_INSTANCE, name)
                .withLabel(CERTIFICATE_LABEL, "client").list().getItems()) {
            String c = s.getMetadata().getName().substring(Names.clientSecret(name, "").length());
            clientSecrets.put(CLIENT_PREFIX + c, s);
        }

        Map<String, X509Certificate> heldCerts = new LinkedHashMap<>();
        Map<String, PrivateKey> heldKeys = new LinkedHashMap<>();
        if (memberSecret != null && memberSecret.getData() != null) {
            for (String pod : memberPods(memberSecret.getData().keySet())) {
                put(heldCerts, heldKeys, MEMBER_PREFIX + pod, memberSecret, pod + ".crt", pod + ".key");
            }
        }
        if (operatorSecret != null) {
            put(heldCerts, heldKeys, OPERATOR, operatorSecret, TlsMaterial.CERT_FILE, TlsMaterial.KEY_FILE);
        }
        clientSecrets.forEach((k, s) -> put(heldCerts, heldKeys, k, s, TlsMaterial.CERT_FILE, TlsMaterial.KEY_FILE));

        Map<String, Held> held = new LinkedHashMap<>();
        for (Map.Entry<String, X509Certificate> e : heldCerts.entrySet()) {
            held.put(e.getKey(), held(e.getValue(), ca));
        }
        CertificatePlanner.Plan plan = CertificatePlanner.plan(now, Optional.of(held(ca.certificate(), ca)), held,
                wanted, renewAll);
        List<X509Certificate> trust = keys.trusted(now);
        String bundle = String.join("", trust.stream().map(CertificateAuthority::pem).toList());

        for (Map.Entry<String, String> e : plan.issue().entrySet()) {
            CertificateAuthority.Issued issued = issue(ca, e.getKey(), wanted.get(e.getKey()), now);
            heldCerts.put(e.getKey(), issued.certificate());
            heldKeys.put(e.getKey(), issued.key());
            held.put(e.getKey(), held(issued.certificate(), ca));
            lastIssued = now;
        }
        for (String gone : plan.drop()) {
            heldCerts.remove(gone);
            heldKeys.remove(gone);
            held.remove(gone);
            if (gone.startsWith(CLIENT_PREFIX)) {
                client.secrets().inNamespace(ns).withName(Names.clientSecret(name, gone.substring(CLIENT_PREFIX.length())))
                        .delete();
            }
        }
        if (!plan.issue().isEmpty()) {
            events.add(EventToPublish.normal("CertificatesIssued", "issued " + plan.issue().size() + " certificate(s): "
                    + String.join("; ", plan.issue().entrySet().stream().map(e -> e.getKey() + " (" + e.getValue() + ")")
                    .toList()) + "; valid for " + CertificatePlanner.CERT_VALIDITY.toDays() + " days"));
        }
        boolean bundleChanged = memberSecret == null || !bundle.equals(text(memberSecret, TlsMaterial.CA_FILE));
        boolean membersChanged = plan.issue().keySet().stream().anyMatch(k -> k.startsWith(MEMBER_PREFIX))
                || plan.drop().stream().anyMatch(k -> k.startsWith(MEMBER_PREFIX));
        if (membersChanged || bundleChanged) {
            Map<String, String> data = new LinkedHashMap<>();
            data.put(TlsMaterial.CA_FILE, bundle);
            heldCerts.forEach((k, c) -> {
                if (k.startsWith(MEMBER_PREFIX)) {
                    String pod = k.substring(MEMBER_PREFIX.length());
                    data.put(pod + ".crt", CertificateAuthority.pem(c));
                    data.put(pod + ".key", CertificateAuthority.pem(heldKeys.get(k)));
                }
            });
            writeMembers(client, cluster, data);
        }
        // each Secret's own bundle compared: a crash between these writes is mended by the next check
        if (plan.issue().containsKey(OPERATOR) || operatorSecret == null
                || !bundle.equals(text(operatorSecret, TlsMaterial.CA_FILE))) {
            write(cluster, Names.operatorTlsSecret(name), OPERATOR, layout(heldCerts.get(OPERATOR), heldKeys.get(OPERATOR), bundle));
        }
        for (String c : clients) {
            String k = CLIENT_PREFIX + c;
            Secret clientSecret = clientSecrets.get(k);
            if (plan.issue().containsKey(k) || clientSecret == null || !bundle.equals(text(clientSecret, TlsMaterial.CA_FILE))) {
                write(cluster, Names.clientSecret(name, c), "client", layout(heldCerts.get(k), heldKeys.get(k), bundle));
            }
        }

        TlsStatus status = new TlsStatus();
        status.caNotAfter = ca.certificate().getNotAfter().toInstant().toString();
        CertificatePlanner.nextExpiring(held).ifPresent(e -> {
            status.nextExpiring = e.getKey();
            status.nextNotAfter = e.getValue().notAfter().toString();
        });
        status.lastIssued = lastIssued == null ? lastIssued(cluster) : lastIssued.toString();
        status.caRotation = keys.step() == null ? null : keys.step().shown();
        status.caRotationWaitingFor = keys.step() == null ? null : waitingFor;
        status.caRotationRequest = keys.done();
        return new Result(status, events, new TlsMaterial(heldKeys.get(OPERATOR), List.of(heldCerts.get(OPERATOR)), trust));
    }

    private static String lastRotation(ElectionCluster cluster) {
        return cluster.getStatus() == null || cluster.getStatus().tls == null ? null : cluster.getStatus().tls.rotationRequest;
    }

    private static String lastIssued(ElectionCluster cluster) {
        return cluster.getStatus() == null || cluster.getStatus().tls == null ? null : cluster.getStatus().tls.lastIssued;
    }

    private static CertificateAuthority.Issued issue(CertificateAuthority ca, String which, Set<String> names, Instant now) {
        List<String> dns = new ArrayList<>();
        List<String> uris = new ArrayList<>();
        for (String n : names) {
            if (n.startsWith(WantedCertificates.DNS)) {
                dns.add(n.substring(WantedCertificates.DNS.length()));
            } else if (n.startsWith(WantedCertificates.URI)) {
                uris.add(n.substring(WantedCertificates.URI.length()));
            }
        }
        String cn = which.contains("/") ? which.substring(which.indexOf('/') + 1) : "ballot-operator";
        return ca.issue(cn, dns, List.of(), uris, now.minusSeconds(300), CertificatePlanner.CERT_VALIDITY);
    }

    /** {@code ca} null: no CA, so nothing is by the current one. */
    private static Held held(X509Certificate cert, CertificateAuthority ca) {
        Set<String> names = new HashSet<>();
        CertIdentity.dnsNames(cert).forEach(d -> names.add(WantedCertificates.DNS + d));
        CertIdentity.uris(cert).forEach(u -> names.add(WantedCertificates.URI + u));
        boolean byCa = false;
        try {
            if (ca == null) {
                throw new java.security.SignatureException("no CA");
            }
            cert.verify(ca.certificate().getPublicKey());
            byCa = true;
        } catch (java.security.GeneralSecurityException | RuntimeException e) {
            byCa = false;
        }
        return new Held(cert.getNotBefore().toInstant(), cert.getNotAfter().toInstant(), names, byCa);
    }

    private static Map<String, String> layout(X509Certificate cert, PrivateKey key, String bundle) {
        Map<String, String> data = new LinkedHashMap<>();
        data.put(TlsMaterial.CERT_FILE, CertificateAuthority.pem(cert));
        data.put(TlsMaterial.KEY_FILE, CertificateAuthority.pem(key));
        data.put(TlsMaterial.CA_FILE, bundle);
        return data;
    }

    private void put(Map<String, X509Certificate> certs, Map<String, PrivateKey> keys, String name, Secret s,
                     String certKey, String keyKey) {
        X509Certificate c = firstCert(s, certKey);
        String keyPem = text(s, keyKey);
        if (c == null || keyPem == null) {
            return; // unreadable: treated as missing, so it is issued again
        }
        try {
            keys.put(name, TlsMaterial.parsePrivateKey(keyPem, s.getMetadata().getName() + "/" + keyKey));
            certs.put(name, c);
        } catch (TlsException e) {
            // likewise
        }
    }

    private static CertificateAuthority newCa(String ns, String name, Instant now) {
        return CertificateAuthority.create("ballot " + ns + "/" + name + " CA " + now.getEpochSecond(),
                now.minusSeconds(300), CertificatePlanner.CA_VALIDITY);
    }

    private static X509Certificate firstCert(Secret s, String key) {
        return ClusterCa.cert(s, key);
    }

    static String text(Secret s, String key) {
        if (s.getData() == null || s.getData().get(key) == null) {
            return null;
        }
        return new String(Base64.getDecoder().decode(s.getData().get(key)), StandardCharsets.UTF_8);
    }

    private Secret get(String ns, String name) {
        return client.secrets().inNamespace(ns).withName(name).get();
    }

    private Secret write(ElectionCluster cluster, String secretName, String kind, Map<String, String> data) {
        return write(client, cluster, secretName, kind, data);
    }

    /**
     * Writes the members Secret ({@code <pod>.crt}, {@code <pod>.key} and the CA bundle) and has the kubelet mount it
     * into each member's pod now ({@link MountedSecretRefresh}).
     */
    static void writeMembers(KubernetesClient client, ElectionCluster cluster, Map<String, String> data) {
        Secret written = write(client, cluster, Names.memberTlsSecret(cluster.getMetadata().getName()), "members", data);
        MountedSecretRefresh.nudge(client, cluster, memberPods(data.keySet()), written == null
                || written.getMetadata() == null ? null : written.getMetadata().getResourceVersion());
    }

    /** The members a members Secret holds certificates for: its keys {@code <pod>.crt}, besides the CA bundle. */
    static List<String> memberPods(java.util.Collection<String> keys) {
        return keys.stream().filter(k -> k.endsWith(".crt") && !k.equals(TlsMaterial.CA_FILE))
                .map(k -> k.substring(0, k.length() - ".crt".length())).toList();
    }

    /** Creates or replaces {@code secretName} with {@code data} (PEM text), owned by the cluster (deleted with it). */
    static Secret write(KubernetesClient client, ElectionCluster cluster, String secretName, String kind,
                      Map<String, String> data) {
        Map<String, String> encoded = new LinkedHashMap<>();
        data.forEach((k, v) -> encoded.put(k, Base64.getEncoder().encodeToString(v.getBytes(StandardCharsets.UTF_8))));
        Map<String, String> labels = new LinkedHashMap<>(Names.labels(cluster.getMetadata().getName()));
        labels.put(CERTIFICATE_LABEL, kind);
        Secret secret = new SecretBuilder()
                .withNewMetadata().withName(secretName).withNamespace(cluster.getMetadata().getNamespace())
                .withLabels(labels)
                .withOwnerReferences(new OwnerReferenceBuilder().withApiVersion(cluster.getApiVersion())
                        .withKind(cluster.getKind()).withName(cluster.getMetadata().getName())
                        .withUid(cluster.getMetadata().getUid()).withController(true).build())
                .endMetadata()
                .withType("Opaque")
                .withData(encoded)
                .build();
        return client.secrets().inNamespace(cluster.getMetadata().getNamespace()).resource(secret)
                .createOr(NonDeletingOperation::update);
    }
}
