package dev.ballot.node.http;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import dev.ballot.node.tls.NodeTls;
import dev.ballot.nodeapi.tls.CipherPreference;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * The JDK's HTTPS server with the node's certificate: TLS 1.3 and 1.2, a client certificate required or asked for,
 * ChaCha20-Poly1305 chosen before AES-GCM ({@link CipherPreference}: the cheaper one on a member's C1-only JVM).
 */
final class HttpsServers {
    private HttpsServers() {
    }

    static HttpServer create(InetSocketAddress bind, int backlog, NodeTls tls) throws IOException {
        HttpsServer server = HttpsServer.create(bind, backlog);
        SSLContext context = tls.files().context();
        server.setHttpsConfigurator(new HttpsConfigurator(context) {
            @Override
            public void configure(HttpsParameters params) {
                SSLParameters p = CipherPreference.apply(context.getDefaultSSLParameters());
                p.setProtocols(new String[]{"TLSv1.3", "TLSv1.2"});
                if (tls.clientCertificateRequired()) {
                    p.setNeedClientAuth(true);
                } else {
                    p.setWantClientAuth(true);
                }
                params.setSSLParameters(p);
            }
        });
        return server;
    }
}
