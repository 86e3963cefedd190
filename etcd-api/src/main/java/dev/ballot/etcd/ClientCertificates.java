package dev.ballot.etcd;

import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;

import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import java.util.logging.Logger;

/**
 * With TLS on, every etcd call needs a client certificate from the cluster's CA, as etcd's {@code --client-cert-auth}
 * does. The TLS handshake already refused certificates from another CA, expired ones and (with client auth Required)
 * connections without one; with client auth Optional a connection without a certificate gets this far and each of
 * its calls is refused here, with a message that names the fix (a failed handshake would only show the client a
 * deadline).
 */
final class ClientCertificates implements ServerInterceptor {
    private static final Logger LOG = Logger.getLogger(ClientCertificates.class.getName());
    static final String REFUSAL = "etcdserver: a client certificate is required: present one issued by the cluster's CA"
            + " (the Secret of spec.clients: etcdctl --cert tls.crt --key tls.key --cacert ca.crt)";

    @Override
    public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
        SSLSession session = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
        if (session == null || !hasCertificate(session)) {
            LOG.fine(() -> "refused " + call.getMethodDescriptor().getFullMethodName() + " from "
                    + call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR) + ": no client certificate");
            call.close(Status.UNAUTHENTICATED.withDescription(REFUSAL), new Metadata());
            return new ServerCall.Listener<>() { };
        }
        return next.startCall(call, headers);
    }

    private static boolean hasCertificate(SSLSession session) {
        try {
            return session.getPeerCertificates().length > 0;
        } catch (SSLPeerUnverifiedException e) {
            return false;
        }
    }
}
