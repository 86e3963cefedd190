package dev.ballot.node.transport;

import dev.ballot.nodeapi.tls.CipherPreference;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.net.Socket;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Objects;

/**
 * TLS 1.3 with mutual authentication on peer connections (docs/node-api.md, TLS). The TLS layer proves that the
 * other end holds a certificate from the cluster's CA; {@link Verifier} then decides whether that certificate names
 * the member id the other end claims in its Ballot handshake. Each connection is layered over a plain socket, so the
 * transport can always cut it off by closing the plain one (no close_notify that could block on a stuck peer).
 */
public final class PeerTls {
    private static final String[] PROTOCOLS = {"TLSv1.3"};

    /** Null when {@code cert} may speak for member {@code memberId}; otherwise why not (logged with the refusal). */
    @FunctionalInterface
    public interface Verifier {
        String mismatch(long memberId, X509Certificate cert);
    }

    private final SSLContext context;
    private final Verifier verifier;

    public PeerTls(SSLContext context, Verifier verifier) {
        this.context = Objects.requireNonNull(context, "context");
        this.verifier = Objects.requireNonNull(verifier, "verifier");
    }

    /**
     * The accepting side of {@code plain}: a client certificate is required; the suite is chosen by
     * {@link CipherPreference} (both ends are members, whose C1-only JVMs seal ChaCha20-Poly1305 records 3-4x cheaper).
     */
    SSLSocket server(Socket plain) throws IOException {
        SSLSocket s = (SSLSocket) context.getSocketFactory().createSocket(plain, null, true);
        s.setUseClientMode(false);
        s.setSSLParameters(CipherPreference.apply(s.getSSLParameters()));
        s.setEnabledProtocols(PROTOCOLS);
        s.setNeedClientAuth(true);
        return s;
    }

    /** The dialling side of {@code plain}, connected to {@code host:port}; offers ChaCha20-Poly1305 first. */
    SSLSocket client(Socket plain, String host, int port) throws IOException {
        SSLSocket s = (SSLSocket) context.getSocketFactory().createSocket(plain, host, port, true);
        s.setUseClientMode(true);
        s.setSSLParameters(CipherPreference.apply(s.getSSLParameters()));
        s.setEnabledProtocols(PROTOCOLS);
        return s;
    }

    /** Null when the other end's certificate names {@code memberId}; otherwise why not. */
    String mismatch(SSLSocket socket, long memberId) {
        try {
            Certificate[] chain = socket.getSession().getPeerCertificates();
            if (chain.length == 0 || !(chain[0] instanceof X509Certificate cert)) {
                return "it presented no X.509 certificate";
            }
            return verifier.mismatch(memberId, cert);
        } catch (SSLPeerUnverifiedException e) {
            return "it presented no certificate";
        }
    }
}
