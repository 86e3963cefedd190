package dev.ballot.operator.reconciler;

import dev.ballot.nodeapi.tls.CertificateAuthority;
import dev.ballot.nodeapi.tls.Fingerprints;
import dev.ballot.nodeapi.tls.TlsException;
import dev.ballot.nodeapi.tls.TlsMaterial;
import dev.ballot.operator.certs.CaRotationPlanner;
import dev.ballot.operator.certs.CaRotationPlanner.Step;
import io.fabric8.kubernetes.api.model.Secret;

import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A cluster's CA Secret ({@code <name>-ca}) as a value: the CA that signs ({@code ca.crt}/{@code ca.key}), the one a
 * rotation brings in before it signs ({@code next.crt}/{@code next.key}), the one that signed before
 * ({@code previous.crt}), and where the rotation stands ({@code rotation-step}, {@code rotation-serving},
 * {@code rotation-done}). Everything a rotation needs to carry on is here, so an operator restart between its steps
 * resumes it.
 */
record ClusterCa(CertificateAuthority current, CertificateAuthority next, X509Certificate previous, Step step,
                 String serving, String done) {
    static final String KEY = "ca.key";
    static final String NEXT_CRT = "next.crt";
    static final String NEXT_KEY = "next.key";
    static final String PREVIOUS_CRT = "previous.crt";
    static final String STEP = "rotation-step";
    static final String SERVING = "rotation-serving";
    static final String DONE = "rotation-done";

    /** What the Secret holds; {@code current} null when it holds no usable CA. */
    static ClusterCa read(Secret s) {
        if (s == null) {
            return new ClusterCa(null, null, null, null, null, null);
        }
        CertificateAuthority next = authority(s, NEXT_CRT, NEXT_KEY);
        Step step = CaRotationPlanner.Step.parse(ClusterCertificates.text(s, STEP)).orElse(null);
        if (step == Step.TRUSTING && next == null) {
            step = null; // a next CA that cannot be read: the rotation starts again with a new one
        }
        // without a step no request is being served: one still wanted is taken up again from the start
        String serving = step == null ? null : ClusterCertificates.text(s, SERVING);
        return new ClusterCa(authority(s, TlsMaterial.CA_FILE, KEY), step == Step.TRUSTING ? next : null,
                cert(s, PREVIOUS_CRT), step, serving, ClusterCertificates.text(s, DONE));
    }

    /** The Secret's data (PEM and plain text). */
    Map<String, String> data() {
        Map<String, String> data = new LinkedHashMap<>();
        data.put(TlsMaterial.CA_FILE, CertificateAuthority.pem(current.certificate()));
        data.put(KEY, CertificateAuthority.pem(current.key()));
        if (next != null) {
            data.put(NEXT_CRT, CertificateAuthority.pem(next.certificate()));
            data.put(NEXT_KEY, CertificateAuthority.pem(next.key()));
        }
        if (previous != null) {
            data.put(PREVIOUS_CRT, CertificateAuthority.pem(previous));
        }
        if (step != null) {
            data.put(STEP, step.shown());
        }
        if (serving != null) {
            data.put(SERVING, serving);
        }
        if (done != null) {
            data.put(DONE, done);
        }
        return data;
    }

    /**
     * The CAs every bundle ({@code ca.crt} of each Secret, and the operator's own trust) holds: the signer first; the
     * next one while members learn to trust it; the previous one while certificates of it may still be presented, and
     * (scheduled renewals) until it expires, except once an on-demand rotation drops it.
     */
    List<X509Certificate> trusted(Instant now) {
        List<X509Certificate> out = new ArrayList<>(List.of(current.certificate()));
        if (next != null) {
            out.add(next.certificate());
        }
        if (previous != null && step != Step.DROPPING && previous.getNotAfter().toInstant().isAfter(now)) {
            out.add(previous);
        }
        return out;
    }

    /** Where the rotation stands, for {@link CaRotationPlanner}. */
    CaRotationPlanner.State state() {
        Instant notBefore = current.certificate().getNotBefore().toInstant();
        Instant notAfter = current.certificate().getNotAfter().toInstant();
        Instant renewAt = notBefore.plus(java.time.Duration.between(notBefore, notAfter).multipliedBy(2).dividedBy(3));
        return new CaRotationPlanner.State(step, serving, done, Fingerprints.sha256(current.certificate()),
                next == null ? null : Fingerprints.sha256(next.certificate()),
                previous == null ? null : Fingerprints.sha256(previous), renewAt);
    }

    ClusterCa withStep(Step step, String serving) {
        return new ClusterCa(current, next, previous, step, serving, done);
    }

    private static CertificateAuthority authority(Secret s, String certKey, String keyKey) {
        X509Certificate cert = cert(s, certKey);
        String key = ClusterCertificates.text(s, keyKey);
        if (cert == null || key == null) {
            return null;
        }
        try {
            return new CertificateAuthority(TlsMaterial.parsePrivateKey(key, s.getMetadata().getName() + "/" + keyKey), cert);
        } catch (TlsException e) {
            return null; // an unusable CA is replaced
        }
    }

    static X509Certificate cert(Secret s, String key) {
        String pem = ClusterCertificates.text(s, key);
        if (pem == null) {
            return null;
        }
        try {
            return TlsMaterial.parseCertificates(pem, s.getMetadata().getName() + "/" + key).get(0);
        } catch (TlsException e) {
            return null;
        }
    }
}
