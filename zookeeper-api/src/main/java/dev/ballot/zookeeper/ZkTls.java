package dev.ballot.zookeeper;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import java.security.cert.X509Certificate;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * TLS on ZooKeeper's {@code secureClientPort}: the member's certificate and the cluster's CA as one context (the node's
 * {@code ReloadingTls}, so a renewed certificate is used from the next connection on), whether clients must present a
 * certificate, and who may open a leader link.
 *
 * @param context                  this member's key and the cluster's CA; also what a follower presents when it links
 *                                 to its leader
 * @param requireClientCertificate true: the TLS handshake fails without a client certificate; false: the handshake
 *                                 asks for one, and a connection without it may only ask the four-letter words
 *                                 (monitoring), a ZooKeeper session is refused
 * @param memberRefusal            null when a certificate names a member of this cluster, otherwise why not: leader
 *                                 links are accepted only from members, and a follower links only to a member
 * @param serverParameters         adjusts the secure port's TLS parameters before it listens (the node puts
 *                                 ChaCha20-Poly1305 first: its C1-only JVM has no AES-GCM intrinsics); identity: the
 *                                 JDK's defaults
 */
public record ZkTls(SSLContext context, boolean requireClientCertificate,
                    Function<X509Certificate, String> memberRefusal, UnaryOperator<SSLParameters> serverParameters) {
    public ZkTls {
        Objects.requireNonNull(context, "context");
        Objects.requireNonNull(memberRefusal, "memberRefusal");
        Objects.requireNonNull(serverParameters, "serverParameters");
    }

    /** With the JDK's default parameters on the secure port. */
    public ZkTls(SSLContext context, boolean requireClientCertificate, Function<X509Certificate, String> memberRefusal) {
        this(context, requireClientCertificate, memberRefusal, UnaryOperator.identity());
    }
}
