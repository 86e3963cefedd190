package dev.ballot.nodeapi.tls;

import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

/**
 * Who a verified certificate speaks for (docs/node-api.md, Identities). Only the subject alternative names count:
 * <ul>
 *   <li>the <b>operator</b>: a URI SAN {@value #OPERATOR_URI};</li>
 *   <li>a <b>member</b>: a URI SAN {@code ballot://<cluster>/members/<name>}, or a DNS SAN equal to the member's peer
 *       host (its stable DNS name, e.g. {@code ec-0.ec-peers.ns.svc}, with or without {@code .cluster.local});</li>
 *   <li>any other certificate from the cluster's CA is a <b>client</b>.</li>
 * </ul>
 * A member's certificate never carries the operator's URI, so neither can stand in for the other.
 */
public final class CertIdentity {
    public static final String OPERATOR_URI = "ballot://operator";
    private static final int SAN_DNS = 2;
    private static final int SAN_URI = 6;
    private static final String CLUSTER_SUFFIX = ".cluster.local";

    private CertIdentity() {
    }

    /** The URI SAN that names member {@code name} of cluster {@code clusterId}. */
    public static String memberUri(String clusterId, String name) {
        return "ballot://" + clusterId + "/members/" + name;
    }

    public static boolean isOperator(X509Certificate cert) {
        return uris(cert).contains(OPERATOR_URI);
    }

    /**
     * Null when {@code cert} names member {@code name} (peer host {@code host}, may be null) of {@code clusterId};
     * otherwise why not, for the log.
     */
    public static String memberMismatch(X509Certificate cert, String clusterId, String name, String host) {
        if (isOperator(cert)) {
            return "it is the operator's certificate, not a member's";
        }
        if (uris(cert).contains(memberUri(clusterId, name))) {
            return null;
        }
        if (host != null && !isIpLiteral(host)) {
            String want = normalize(host);
            for (String dns : dnsNames(cert)) {
                if (normalize(dns).equals(want)) {
                    return null;
                }
            }
        }
        return "its certificate (" + describe(cert) + ") does not name member '" + name + "': expected the URI "
                + memberUri(clusterId, name) + (host != null && !isIpLiteral(host) ? " or the DNS name " + host : "");
    }

    /** Subject and alternative names, for logs and errors. */
    public static String describe(X509Certificate cert) {
        List<String> sans = new ArrayList<>();
        dnsNames(cert).forEach(d -> sans.add("DNS:" + d));
        uris(cert).forEach(u -> sans.add("URI:" + u));
        return cert.getSubjectX500Principal().getName() + (sans.isEmpty() ? "" : " " + sans);
    }

    public static List<String> dnsNames(X509Certificate cert) {
        return sans(cert, SAN_DNS);
    }

    public static List<String> uris(X509Certificate cert) {
        return sans(cert, SAN_URI);
    }

    private static List<String> sans(X509Certificate cert, int type) {
        List<String> out = new ArrayList<>();
        try {
            Collection<List<?>> all = cert.getSubjectAlternativeNames();
            if (all == null) {
                return out;
            }
            for (List<?> san : all) {
                if (san.size() >= 2 && san.get(0) instanceof Integer t && t == type && san.get(1) instanceof String s) {
                    out.add(s);
                }
            }
        } catch (CertificateParsingException e) {
            return out; // an unparsable extension names nobody
        }
        return out;
    }

    private static String normalize(String dns) {
        String d = dns.toLowerCase(Locale.ROOT);
        if (d.endsWith(".")) {
            d = d.substring(0, d.length() - 1);
        }
        return d.endsWith(CLUSTER_SUFFIX) ? d.substring(0, d.length() - CLUSTER_SUFFIX.length()) : d;
    }

    private static boolean isIpLiteral(String host) {
        return host.contains(":") || host.chars().allMatch(c -> Character.isDigit(c) || c == '.');
    }
}
