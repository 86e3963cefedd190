package dev.ballot.node.config;

import java.nio.file.Path;
import java.util.Locale;

/**
 * TLS for the HTTP API and the peer transport (docs/node-config.md, TLS): one directory of PEM files in cert-manager's
 * layout ({@code tls.crt}, {@code tls.key}, {@code ca.crt}), reloaded when they change. Absent: plain TCP, as before.
 *
 * @param dir        the directory ({@code tls_dir} / {@code tlsDir} / {@code BALLOT_TLS_DIR})
 * @param clientAuth whether an HTTP client must present a certificate ({@code tls_client_auth} / {@code tlsClientAuth}
 *                   / {@code BALLOT_TLS_CLIENT_AUTH}); peers always must
 */
public record TlsSettings(Path dir, ClientAuth clientAuth) {
    public static final String DIR_KEY = "tls_dir";
    public static final String CLIENT_AUTH_KEY = "tls_client_auth";
    public static final String ZAB_DIR_KEY = "tlsDir";
    public static final String ZAB_CLIENT_AUTH_KEY = "tlsClientAuth";

    /**
     * {@code REQUIRED}: the TLS handshake fails without a certificate from the cluster's CA (probes then need one too).
     * {@code OPTIONAL}: the handshake asks for one; without it only /healthz, /readyz and /metrics answer (kubelet probes).
     */
    public enum ClientAuth { REQUIRED, OPTIONAL }

    /** Null when {@code dir} is absent (TLS off); {@code clientAuth} alone is an error. */
    static TlsSettings parse(Setting dir, Setting clientAuth) throws ConfigException {
        if (dir == null || dir.value().isBlank()) {
            if (clientAuth != null && !clientAuth.value().isBlank()) {
                throw clientAuth.error("is set but TLS is off", "set " + (clientAuth.key().contains("_") ? DIR_KEY : ZAB_DIR_KEY)
                        + " to the directory holding tls.crt, tls.key and ca.crt, or remove this key");
            }
            return null;
        }
        ClientAuth auth = ClientAuth.OPTIONAL;
        if (clientAuth != null && !clientAuth.value().isBlank()) {
            try {
                auth = ClientAuth.valueOf(clientAuth.value().strip().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw clientAuth.error("'" + clientAuth.value() + "' is not a client-auth mode", "write Required or Optional");
            }
        }
        return new TlsSettings(ConfigLoader.path(dir), auth);
    }
}
