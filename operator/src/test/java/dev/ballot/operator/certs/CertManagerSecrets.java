package dev.ballot.operator.certs;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The Secrets a user's cert-manager would write for a cluster with {@code spec.tls.certificates: Provided}, from one
 * issuer: each member's (the names of the Certificate in docs/operator.md) and the operator's.
 */
public final class CertManagerSecrets {
    private final String cluster;
    private final String namespace;
    private final Instant now;
    private final CertManagerIssuer issuer;

    public CertManagerSecrets(String cluster, String namespace, Instant now) throws Exception {
        this.cluster = cluster;
        this.namespace = namespace;
        this.now = now;
        this.issuer = CertManagerIssuer.root(cluster + "-issuer", now);
    }

    /** Member {@code ordinal}'s Secret data, valid for {@code validity}. */
    public Map<String, String> member(int ordinal, Duration validity) throws Exception {
        String pod = cluster + "-" + ordinal;
        return memberWithNames(List.of("DNS:" + pod + "." + cluster + "-peers." + namespace + ".svc",
                "DNS:" + pod + "." + cluster + "-peers." + namespace + ".svc.cluster.local",
                "DNS:" + cluster + "-client." + namespace + ".svc",
                "URI:ballot://" + cluster + "/members/" + pod), validity);
    }

    public Map<String, String> memberWithNames(List<String> names, Duration validity) throws Exception {
        return issuer.secret(names, now.minusSeconds(60), now.plus(validity));
    }

    public Map<String, String> operator() throws Exception {
        return issuer.secret(List.of("URI:ballot://operator"), now.minusSeconds(60), now.plus(Duration.ofDays(90)));
    }
}
