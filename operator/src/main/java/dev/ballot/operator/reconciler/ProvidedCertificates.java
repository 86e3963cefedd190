package dev.ballot.operator.reconciler;

import dev.ballot.nodeapi.tls.CertificateAuthority;
import dev.ballot.nodeapi.tls.TlsMaterial;
import dev.ballot.operator.api.ElectionCluster;
import dev.ballot.operator.api.TlsStatus;
import dev.ballot.operator.certs.CertificatePlanner;
import dev.ballot.operator.certs.CertificatePlanner.Held;
import dev.ballot.operator.certs.ProvidedCertificate;
import dev.ballot.operator.desired.MemberEndpoint;
import dev.ballot.operator.desired.Names;
import dev.ballot.operator.certs.CaRotationPlanner;
import dev.ballot.operator.status.EventToPublish;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;

import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The edge of {@code spec.tls.certificates: Provided}: reads the user's Secrets in cert-manager's layout (one per member,
 * {@link Names#providedMemberSecret}, and the operator's {@link Names#operatorTlsSecret}), checks each
 * ({@link ProvidedCertificate}), and copies them into the Secret every member mounts ({@link Names#memberTlsSecret}:
 * {@code <pod>.crt}, {@code <pod>.key}, and {@code ca.crt} as the union of their CAs), the layout the operator's own
 * certificates use, so members reload a renewal exactly as they reload the operator's rotations. Nothing is copied while
 * any Secret is wrong: members keep the last good certificates, and the condition {@value #CONDITION} names the Secret
 * and the fault.
 */
final class ProvidedCertificates {
    static final String CONDITION = "CertificatesValid";
    /**
     * cert-manager renews by rewriting the Secret: valid Secrets are read again at least this often (and whenever the
     * members change; {@code ballot.tls.provided-recheck-interval}); a renewal reaches the members within this (the
     * copy then has the kubelet mount it at once, {@link MountedSecretRefresh}).
     */
    private final Duration recheck;

    /** What a check came to: the TLS status and Events, the operator's material (null: none usable yet), the fault. */
    record Outcome(ClusterCertificates.Result tls, String problem) {
    }

    private record Checked(String uid, List<MemberEndpoint> members, Outcome outcome, Instant nextCheck) {
    }

    private final KubernetesClient client;
    private final Map<String, Checked> checked = new ConcurrentHashMap<>();

    ProvidedCertificates(KubernetesClient client, Duration recheck) {
        this.recheck = recheck;
        this.client = client;
    }

    /** Per cluster: the rotation annotations this process last refused with a Warning (one Warning per new value). */
    private final Map<String, String> rotationRefused = new ConcurrentHashMap<>();

    Outcome ensure(ElectionCluster cluster, List<MemberEndpoint> members, Instant now) {
        Outcome outcome = ensureCertificates(cluster, members, now);
        String key = cluster.getMetadata().getNamespace() + "/" + cluster.getMetadata().getName();
        String requested = rotationRequests(cluster.getMetadata().getAnnotations());
        if (requested == null) {
            rotationRefused.remove(key);
            return outcome;
        }
        if (requested.equals(rotationRefused.put(key, requested))) {
            return outcome;
        }
        List<EventToPublish> events = new ArrayList<>(outcome.tls().events());
        events.add(EventToPublish.warning("RotationNotApplicable", requested + " has no effect with spec.tls.certificates:"
                + " Provided: the operator holds no CA key and issues nothing. Renew the Secrets where they are issued"
                + " (cert-manager: `cmctl renew`, or a new Issuer for a new CA); the members reload them, then remove"
                + " the annotation"));
        ClusterCertificates.Result tls = outcome.tls();
        return new Outcome(new ClusterCertificates.Result(tls.status(), events, tls.operator()), outcome.problem());
    }

    /** The rotation annotations a cluster carries, as {@code name=value; ...}, or null without any. */
    static String rotationRequests(Map<String, String> annotations) {
        if (annotations == null) {
            return null;
        }
        List<String> found = new ArrayList<>();
        for (String a : List.of(CertificatePlanner.ROTATE_CERTIFICATES, CaRotationPlanner.ROTATE_CA)) {
            String v = annotations.get(a);
            if (v != null && !v.isBlank()) {
                found.add(a + "=" + v);
            }
        }
        return found.isEmpty() ? null : String.join("; ", found);
    }

    private Outcome ensureCertificates(ElectionCluster cluster, List<MemberEndpoint> members, Instant now) {
        String ns = cluster.getMetadata().getNamespace();
        String name = cluster.getMetadata().getName();
        String key = ns + "/" + name;
        Checked last = checked.get(key);
        boolean same = last != null && Objects.equals(last.uid(), cluster.getMetadata().getUid());
        // While something is wrong, every reconcile reads the Secrets again: the fix shows at once.
        if (same && last.outcome().problem() == null && last.members().equals(members) && now.isBefore(last.nextCheck())) {
            ClusterCertificates.Result r = last.outcome().tls();
            return new Outcome(new ClusterCertificates.Result(r.status(), List.of(), r.operator()), last.outcome().problem());
        }
        Outcome outcome = check(cluster, members, now, same ? last.outcome() : null);
        checked.put(key, new Checked(cluster.getMetadata().getUid(), List.copyOf(members), outcome, now.plus(recheck)));
        return outcome;
    }

    private Outcome check(ElectionCluster cluster, List<MemberEndpoint> members, Instant now, Outcome last) {
        String ns = cluster.getMetadata().getNamespace();
        String name = cluster.getMetadata().getName();
        String clientService = Names.clientService(name) + "." + ns + ".svc";
        Map<String, String> secretOf = new LinkedHashMap<>();
        Map<String, ProvidedCertificate.Verdict> verdicts = new LinkedHashMap<>();
        for (MemberEndpoint m : members) {
            String secret = Names.providedMemberSecret(m.name());
            secretOf.put(ClusterCertificates.MEMBER_PREFIX + m.name(), secret);
            verdicts.put(ClusterCertificates.MEMBER_PREFIX + m.name(), ProvidedCertificate.check(read(ns, secret),
                    new ProvidedCertificate.Wanted(Set.of(m.host(), clientService), false), now));
        }
        String operatorSecret = Names.operatorTlsSecret(name);
        secretOf.put(ClusterCertificates.OPERATOR, operatorSecret);
        verdicts.put(ClusterCertificates.OPERATOR, ProvidedCertificate.check(read(ns, operatorSecret),
                new ProvidedCertificate.Wanted(Set.of(), true), now));

        List<String> problems = new ArrayList<>();
        verdicts.forEach((k, v) -> {
            if (!v.ok()) {
                problems.add("Secret " + secretOf.get(k) + " (" + k + "): " + v.problem());
            }
        });
        TlsStatus status = status(verdicts, last, cluster);
        List<EventToPublish> events = new ArrayList<>();
        if (!problems.isEmpty()) {
            String problem = String.join("; ", problems);
            if (last == null || !problem.equals(last.problem())) {
                events.add(EventToPublish.warning("InvalidCertificateSecret", problem
                        + " (the members keep their last good certificates)"));
            }
            // The operator keeps using the last good material of its own, if any.
            return new Outcome(new ClusterCertificates.Result(status, events,
                    last == null ? null : last.tls().operator()), problem);
        }

        Map<String, X509Certificate> cas = new LinkedHashMap<>();
        verdicts.values().forEach(v -> v.usable().cas().forEach(c -> cas.putIfAbsent(fingerprint(c), c)));
        StringBuilder bundle = new StringBuilder();
        cas.values().forEach(c -> bundle.append(CertificateAuthority.pem(c)));
        Map<String, String> data = new LinkedHashMap<>();
        data.put(TlsMaterial.CA_FILE, bundle.toString());
        for (MemberEndpoint m : members) {
            ProvidedCertificate.Usable u = verdicts.get(ClusterCertificates.MEMBER_PREFIX + m.name()).usable();
            StringBuilder chain = new StringBuilder();
            u.chain().forEach(c -> chain.append(CertificateAuthority.pem(c)));
            data.put(m.name() + ".crt", chain.toString());
            data.put(m.name() + ".key", CertificateAuthority.pem(u.key()));
        }
        Secret mounted = client.secrets().inNamespace(ns).withName(Names.memberTlsSecret(name)).get();
        if (mounted == null || !data.equals(decoded(mounted))) {
            ClusterCertificates.writeMembers(client, cluster, data);
            events.add(EventToPublish.normal("CertificatesLoaded", "copied the provided certificates of "
                    + members.size() + " member(s) into Secret " + Names.memberTlsSecret(name) + " ("
                    + (mounted == null ? "first time" : "a Secret was renewed or changed") + "); the members reload them"));
            status.lastIssued = now.toString();
        }
        ProvidedCertificate.Usable op = verdicts.get(ClusterCertificates.OPERATOR).usable();
        TlsMaterial operator = new TlsMaterial(op.key(), op.chain(), List.copyOf(cas.values()));
        return new Outcome(new ClusterCertificates.Result(status, events, operator), null);
    }

    /** Expiry as for the operator's own certificates: the CA and the certificate that expire first. */
    private static TlsStatus status(Map<String, ProvidedCertificate.Verdict> verdicts, Outcome last,
                                    ElectionCluster cluster) {
        TlsStatus status = new TlsStatus();
        Map<String, Held> held = new LinkedHashMap<>();
        Instant caNotAfter = null;
        for (Map.Entry<String, ProvidedCertificate.Verdict> e : verdicts.entrySet()) {
            if (!e.getValue().ok()) {
                continue;
            }
            X509Certificate leaf = e.getValue().usable().leaf();
            held.put(e.getKey(), new Held(leaf.getNotBefore().toInstant(), leaf.getNotAfter().toInstant(), Set.of(), true));
            for (X509Certificate ca : e.getValue().usable().cas()) {
                Instant t = ca.getNotAfter().toInstant();
                caNotAfter = caNotAfter == null || t.isBefore(caNotAfter) ? t : caNotAfter;
            }
        }
        status.caNotAfter = caNotAfter == null ? null : caNotAfter.toString();
        CertificatePlanner.nextExpiring(held).ifPresent(e -> {
            status.nextExpiring = e.getKey();
            status.nextNotAfter = e.getValue().notAfter().toString();
        });
        status.lastIssued = last != null ? last.tls().status().lastIssued
                : cluster.getStatus() == null || cluster.getStatus().tls == null ? null : cluster.getStatus().tls.lastIssued;
        return status;
    }

    private Map<String, String> read(String ns, String secret) {
        Secret s = client.secrets().inNamespace(ns).withName(secret).get();
        return s == null ? null : decoded(s);
    }

    private static Map<String, String> decoded(Secret s) {
        Map<String, String> out = new LinkedHashMap<>();
        if (s.getData() != null) {
            s.getData().keySet().forEach(k -> out.put(k, ClusterCertificates.text(s, k)));
        }
        if (s.getStringData() != null) {
            out.putAll(s.getStringData());
        }
        return out;
    }

    private static String fingerprint(X509Certificate c) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(c.getEncoded()));
        } catch (CertificateEncodingException | java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
