package dev.ballot.operator.certs;

import dev.ballot.nodeapi.tls.CertIdentity;
import dev.ballot.nodeapi.tls.TlsException;
import dev.ballot.nodeapi.tls.TlsMaterial;

import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One certificate the user provides in a Secret in cert-manager's layout ({@code tls.crt}: the certificate and any
 * intermediates, {@code tls.key}, {@code ca.crt}), checked before the operator hands it to members or uses it itself:
 * present, the three keys, a key that is the certificate's, valid now, a chain to {@code ca.crt}, and the names it
 * must carry. Pure: the caller reads the Secret and passes its decoded values.
 */
public final class ProvidedCertificate {
    public static final String CERT = TlsMaterial.CERT_FILE;
    public static final String KEY = TlsMaterial.KEY_FILE;
    public static final String CA = TlsMaterial.CA_FILE;

    /** What the certificate must name: DNS names, and whether it must (operator) or must not (member) be the operator. */
    public record Wanted(Set<String> dnsNames, boolean operator) {
        public Wanted {
            dnsNames = Set.copyOf(dnsNames);
        }
    }

    /** A usable certificate: its chain (leaf first), key and the CA certificates it chains to. */
    public record Usable(List<X509Certificate> chain, PrivateKey key, List<X509Certificate> cas) {
        public X509Certificate leaf() {
            return chain.get(0);
        }
    }

    /** Either {@code usable} or {@code problem} (what is wrong, for a condition naming the Secret). */
    public record Verdict(Usable usable, String problem) {
        public boolean ok() {
            return problem == null;
        }
    }

    private ProvidedCertificate() {
    }

    /** @param data the Secret's values, decoded; null when the Secret does not exist */
    public static Verdict check(Map<String, String> data, Wanted wanted, Instant now) {
        if (data == null) {
            return bad("not found: create it (cert-manager: a Certificate with this secretName; docs/operator.md, TLS)");
        }
        List<String> missing = new ArrayList<>();
        for (String k : List.of(CERT, KEY, CA)) {
            if (data.get(k) == null || data.get(k).isBlank()) {
                missing.add(k);
            }
        }
        if (!missing.isEmpty()) {
            return bad("lacks " + String.join(", ", missing) + " (cert-manager's layout: tls.crt, tls.key, ca.crt)");
        }
        List<X509Certificate> chain;
        List<X509Certificate> cas;
        PrivateKey key;
        try {
            chain = TlsMaterial.parseCertificates(data.get(CERT), CERT);
            cas = TlsMaterial.parseCertificates(data.get(CA), CA);
            key = TlsMaterial.parsePrivateKey(data.get(KEY), KEY);
        } catch (TlsException e) {
            return bad("is unreadable: " + e.getMessage());
        }
        X509Certificate leaf = chain.get(0);
        if (!TlsMaterial.matches(key, leaf.getPublicKey())) {
            return bad("tls.key is not the private key of tls.crt (" + leaf.getSubjectX500Principal().getName()
                    + "): write the key and certificate of one issuance together");
        }
        if (now.isAfter(leaf.getNotAfter().toInstant())) {
            return bad("tls.crt expired at " + leaf.getNotAfter().toInstant() + ": renew it (cert-manager renews"
                    + " before expiry; check the Certificate's status)");
        }
        if (now.isBefore(leaf.getNotBefore().toInstant())) {
            return bad("tls.crt is not valid before " + leaf.getNotBefore().toInstant() + " (a clock ahead?)");
        }
        String chainProblem = chainProblem(chain, cas, now);
        if (chainProblem != null) {
            return bad("tls.crt does not chain to ca.crt: " + chainProblem + "; use one issuer for every member and"
                    + " the operator, and its CA as ca.crt");
        }
        Set<String> lacking = new java.util.TreeSet<>(wanted.dnsNames()); // sorted: the message is stable
        lacking.removeAll(new HashSet<>(CertIdentity.dnsNames(leaf)));
        if (!lacking.isEmpty()) {
            return bad("tls.crt's DNS names " + CertIdentity.dnsNames(leaf) + " lack " + String.join(", ", lacking)
                    + ": add them to the Certificate's dnsNames");
        }
        boolean namesOperator = CertIdentity.isOperator(leaf);
        if (wanted.operator() && !namesOperator) {
            return bad("tls.crt lacks the URI SAN " + CertIdentity.OPERATOR_URI + " that identifies the operator: add it"
                    + " to the Certificate's uris");
        }
        if (!wanted.operator() && namesOperator) {
            return bad("tls.crt names the operator (URI SAN " + CertIdentity.OPERATOR_URI + "), which would give a"
                    + " member admin rights: remove it from the member's Certificate");
        }
        return new Verdict(new Usable(List.copyOf(chain), key, List.copyOf(cas)), null);
    }

    /** Null when {@code chain} validates (PKIX, no revocation) against {@code cas} at {@code now}; else why not. */
    private static String chainProblem(List<X509Certificate> chain, List<X509Certificate> cas, Instant now) {
        try {
            Set<TrustAnchor> anchors = new HashSet<>();
            cas.forEach(c -> anchors.add(new TrustAnchor(c, null)));
            List<X509Certificate> path = new ArrayList<>(chain);
            path.removeIf(c -> cas.contains(c)); // a chain may end with the root itself
            if (path.isEmpty()) {
                return "tls.crt holds only the CA's own certificate";
            }
            PKIXParameters params = new PKIXParameters(anchors);
            params.setRevocationEnabled(false);
            params.setDate(Date.from(now));
            CertPathValidator.getInstance("PKIX").validate(CertificateFactory.getInstance("X.509").generateCertPath(path),
                    params);
            return null;
        } catch (GeneralSecurityException e) {
            return e.getMessage();
        }
    }

    private static Verdict bad(String problem) {
        return new Verdict(null, problem);
    }
}
