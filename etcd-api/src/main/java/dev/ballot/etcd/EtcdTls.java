package dev.ballot.etcd;

import io.grpc.ChannelCredentials;
import io.grpc.ServerCredentials;
import io.grpc.TlsChannelCredentials;
import io.grpc.TlsServerCredentials;

import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;
import java.util.Objects;

/**
 * TLS on the etcd port (etcd's {@code --cert-file}, {@code --key-file}, {@code --trusted-ca-file},
 * {@code --client-cert-auth}): this member's certificate and the cluster's CA, as managers that follow renewed files
 * (the node's {@code ReloadingTls}), so a renewed certificate is used from the next connection on without a restart.
 *
 * @param keys                     this member's certificate and key: served to clients, and presented when this
 *                                 member forwards a call to its leader
 * @param trust                    the cluster's CA: client certificates and the leader's certificate are checked
 *                                 against it
 * @param requireClientCertificate true: the TLS handshake fails without a client certificate from the CA;
 *                                 false: the handshake asks for one and every call without it is refused
 *                                 {@code UNAUTHENTICATED} ({@link ClientCertificates}), which names the fix
 */
public record EtcdTls(X509ExtendedKeyManager keys, X509ExtendedTrustManager trust, boolean requireClientCertificate) {
    public EtcdTls {
        Objects.requireNonNull(keys, "keys");
        Objects.requireNonNull(trust, "trust");
    }

    ServerCredentials serverCredentials() {
        return TlsServerCredentials.newBuilder().keyManager(keys).trustManager(trust)
                .clientAuth(requireClientCertificate ? TlsServerCredentials.ClientAuth.REQUIRE
                        : TlsServerCredentials.ClientAuth.OPTIONAL)
                .build();
    }

    /** For forwarding to the leader: this member's own certificate, the leader's checked against the CA and its name. */
    ChannelCredentials channelCredentials() {
        return TlsChannelCredentials.newBuilder().keyManager(keys).trustManager(trust).build();
    }
}
