package dev.ballot.node.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsExchange;
import dev.ballot.node.tls.NodeTls;
import dev.ballot.nodeapi.NodePaths;
import dev.ballot.nodeapi.tls.CertIdentity;

import javax.net.ssl.SSLPeerUnverifiedException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;

/**
 * Which identity may call which endpoint when the API is served over TLS (docs/node-api.md, Identities). The TLS
 * handshake has already checked that a presented certificate comes from the cluster's CA and is within its dates;
 * this decides by what it names:
 * <ul>
 *   <li>{@code /healthz}, {@code /readyz}, {@code /metrics}: anyone (kubelet probes present no certificate);</li>
 *   <li>{@code /v1/admin/...}: the operator, or a member relaying a request to its leader (it checked the operator's
 *       certificate before it forwarded: {@link LeaderForwarder#FORWARDED_HEADER});</li>
 *   <li>everything else (key-value, status, events): any certificate from the cluster's CA.</li>
 * </ul>
 */
final class ApiAccess {
    private final NodeTls tls;
    private final NodeInfo info;

    ApiAccess(NodeTls tls, NodeInfo info) {
        this.tls = tls;
        this.info = info;
    }

    void check(HttpExchange ex) {
        if (tls == null || !(ex instanceof HttpsExchange https)) {
            return; // plain HTTP: the cluster runs without TLS (docs/node-api.md, TLS)
        }
        String path = ex.getRequestURI().getPath();
        if (path.equals(NodePaths.HEALTHZ) || path.equals(NodePaths.READYZ) || path.equals(NodePaths.METRICS)) {
            return;
        }
        X509Certificate cert = peerCertificate(https);
        if (cert == null) {
            throw new ApiException(401, "unauthenticated", null, path + " needs a client certificate issued by the"
                    + " cluster's CA (the operator issues one per spec.clients entry); see docs/node-api.md, TLS");
        }
        if (!path.startsWith(NodePaths.ADMIN_PREFIX) || CertIdentity.isOperator(cert)) {
            return;
        }
        if (LeaderForwarder.wasForwarded(ex) && tls.isMember(info.directory(), cert)) {
            return;
        }
        throw new ApiException(403, "forbidden", null, "admin endpoints answer only the operator's certificate"
                + " (URI SAN " + CertIdentity.OPERATOR_URI + "); this request presented " + CertIdentity.describe(cert));
    }

    private static X509Certificate peerCertificate(HttpsExchange ex) {
        try {
            Certificate[] chain = ex.getSSLSession().getPeerCertificates();
            return chain.length > 0 && chain[0] instanceof X509Certificate x ? x : null;
        } catch (SSLPeerUnverifiedException e) {
            return null;
        }
    }
}
