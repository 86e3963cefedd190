package dev.ballot.nodeapi.tls;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;
import java.io.IOException;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Collection;

/**
 * An {@link SSLContext} whose certificate(s) and trusted CAs can be replaced while it is in use: every handshake asks
 * the managers current at that moment. {@link ReloadingTls} switches when its files change; the operator switches when
 * it issues a certificate for a cluster. Several certificates may be held at once ({@link #managers}): as a TLS client
 * the JDK then presents the one issued by a CA the server asks for.
 */
public final class SwitchableTls {
    private final SSLContext context;
    private final Runnable beforeUse;
    private final Keys keyView = new Keys();
    private final Trust trustView = new Trust();
    /** One reference, so a handshake never pairs the new certificate with the old trusted CAs or the reverse. */
    private volatile Managers current;

    /** A certificate (with its key) to present and the CAs to trust, switched together. */
    public record Managers(X509ExtendedKeyManager keys, X509ExtendedTrustManager trust) {
    }

    /** @param beforeUse runs before each use of the managers (e.g. a cheap check whether files changed) */
    public SwitchableTls(Managers first, Runnable beforeUse) {
        this.current = first;
        this.beforeUse = beforeUse;
        try {
            this.context = SSLContext.getInstance("TLS");
            context.init(new javax.net.ssl.KeyManager[]{keyView}, new javax.net.ssl.TrustManager[]{trustView}, null);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no TLS context: " + e.getMessage(), e);
        }
    }

    /** Holds {@code materials} (each its own key and chain) and trusts every CA any of them names. */
    public static SwitchableTls of(Collection<TlsMaterial> materials) {
        return new SwitchableTls(managers(materials), () -> { });
    }

    /** Replaces what it holds by {@code materials}. */
    public void use(Collection<TlsMaterial> materials) {
        use(managers(materials));
    }

    public void use(Managers next) {
        this.current = next;
    }

    public SSLContext context() {
        return context;
    }

    /**
     * The key manager behind {@link #context()}: it always answers with the certificate current at that moment. For
     * TLS stacks that take managers rather than a context (gRPC's {@code TlsServerCredentials}, Netty).
     */
    public X509ExtendedKeyManager keyManager() {
        return keyView;
    }

    /** The trust manager behind {@link #context()}, following switches as {@link #keyManager()} does. */
    public X509ExtendedTrustManager trustManager() {
        return trustView;
    }

    /** SunX509 keeps the keystore's aliases as they are, so a switch between choosing an alias and using it is harmless. */
    static Managers managers(Collection<TlsMaterial> materials) {
        try {
            KeyStore keyStore = emptyStore();
            KeyStore trustStore = emptyStore();
            int i = 0;
            for (TlsMaterial m : materials) {
                keyStore.setKeyEntry("key-" + i, m.key(), new char[0], m.chain().toArray(new X509Certificate[0]));
                for (X509Certificate ca : m.authorities()) {
                    trustStore.setCertificateEntry("ca-" + i + "-" + ca.getSerialNumber(), ca);
                }
                i++;
            }
            KeyManagerFactory kmf = KeyManagerFactory.getInstance("SunX509");
            kmf.init(keyStore, new char[0]);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
            tmf.init(trustStore.size() == 0 ? null : trustStore); // nothing held yet: the JDK's CAs, never ours
            return new Managers((X509ExtendedKeyManager) kmf.getKeyManagers()[0],
                    (X509ExtendedTrustManager) tmf.getTrustManagers()[0]);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot hold the TLS material: " + e.getMessage(), e);
        }
    }

    private static KeyStore emptyStore() throws GeneralSecurityException {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try {
            ks.load(null, null);
        } catch (IOException e) {
            throw new GeneralSecurityException(e);
        }
        return ks;
    }

    private final class Keys extends X509ExtendedKeyManager {
        private X509ExtendedKeyManager km() {
            beforeUse.run();
            return current.keys();
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return km().getClientAliases(keyType, issuers);
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            return km().chooseClientAlias(keyType, issuers, socket);
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            return km().getServerAliases(keyType, issuers);
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return km().chooseServerAlias(keyType, issuers, socket);
        }

        @Override
        public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
            return km().chooseEngineClientAlias(keyType, issuers, engine);
        }

        @Override
        public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
            return km().chooseEngineServerAlias(keyType, issuers, engine);
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return current.keys().getCertificateChain(alias);
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return current.keys().getPrivateKey(alias);
        }
    }

    private final class Trust extends X509ExtendedTrustManager {
        private X509ExtendedTrustManager tm() {
            beforeUse.run();
            return current.trust();
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            tm().checkClientTrusted(chain, authType, socket);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            tm().checkServerTrusted(chain, authType, socket);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            tm().checkClientTrusted(chain, authType, engine);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            tm().checkServerTrusted(chain, authType, engine);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            tm().checkClientTrusted(chain, authType);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            tm().checkServerTrusted(chain, authType);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return tm().getAcceptedIssuers();
        }
    }
}
