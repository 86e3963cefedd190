package dev.ballot.nodeapi.tls;

import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

/**
 * A certificate, its key and the certificate authorities to trust, read from PEM files in cert-manager's layout:
 * {@code tls.crt} (this party's certificate, then any intermediates), {@code tls.key} (its private key: PKCS#8,
 * PKCS#1 RSA or SEC1 EC) and {@code ca.crt} (one or more CA certificates). The same three files serve the node
 * (server and peer client), the operator and an application.
 */
public record TlsMaterial(PrivateKey key, List<X509Certificate> chain, List<X509Certificate> authorities) {
    public static final String CERT_FILE = "tls.crt";
    public static final String KEY_FILE = "tls.key";
    public static final String CA_FILE = "ca.crt";
    static final String LAYOUT = "cert-manager's layout: tls.crt, tls.key and ca.crt in one directory, e.g. a mounted Secret";
    private static final String ALIAS = "ballot";

    public TlsMaterial {
        chain = List.copyOf(chain);
        authorities = List.copyOf(authorities);
    }

    /** This party's own certificate. */
    public X509Certificate leaf() {
        return chain.get(0);
    }

    public static TlsMaterial load(Path dir) throws TlsException {
        List<X509Certificate> chain = certificates(dir.resolve(CERT_FILE));
        List<X509Certificate> cas = certificates(dir.resolve(CA_FILE));
        PrivateKey key = privateKey(dir.resolve(KEY_FILE));
        if (!matches(key, chain.get(0).getPublicKey())) {
            throw new TlsException(dir.resolve(KEY_FILE) + " is not the private key of the certificate in "
                    + dir.resolve(CERT_FILE) + " (" + chain.get(0).getSubjectX500Principal().getName()
                    + "); write the key and certificate of one issuance together");
        }
        return new TlsMaterial(key, chain, cas);
    }

    /** Presents {@link #chain} with {@link #key}; SunX509 keeps the keystore's alias, so a reload keeps it too. */
    X509ExtendedKeyManager keyManager() throws GeneralSecurityException {
        KeyStore ks = emptyStore();
        ks.setKeyEntry(ALIAS, key, new char[0], chain.toArray(new X509Certificate[0]));
        KeyManagerFactory kmf = KeyManagerFactory.getInstance("SunX509");
        kmf.init(ks, new char[0]);
        return (X509ExtendedKeyManager) kmf.getKeyManagers()[0];
    }

    /** Trusts exactly {@link #authorities} (PKIX: validity dates, signatures, CA constraints). */
    X509ExtendedTrustManager trustManager() throws GeneralSecurityException {
        KeyStore ks = emptyStore();
        for (int i = 0; i < authorities.size(); i++) {
            ks.setCertificateEntry("ca-" + i, authorities.get(i));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
        tmf.init(ks);
        return (X509ExtendedTrustManager) tmf.getTrustManagers()[0];
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

    private static List<X509Certificate> certificates(Path file) throws TlsException {
        List<X509Certificate> out = new ArrayList<>();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.US_ASCII); PEMParser p = new PEMParser(r)) {
            JcaX509CertificateConverter conv = new JcaX509CertificateConverter();
            for (Object o = p.readObject(); o != null; o = p.readObject()) {
                if (!(o instanceof X509CertificateHolder h)) {
                    throw new TlsException(file + " holds a " + o.getClass().getSimpleName()
                            + " where only CERTIFICATE blocks belong; keep the key in " + KEY_FILE);
                }
                out.add(conv.getCertificate(h));
            }
        } catch (NoSuchFileException e) {
            throw new TlsException(file + " does not exist; expected " + LAYOUT);
        } catch (IOException | GeneralSecurityException e) {
            throw new TlsException(file + " is not a PEM certificate file (" + e.getMessage() + "); expected " + LAYOUT, e);
        }
        if (out.isEmpty()) {
            throw new TlsException(file + " holds no '-----BEGIN CERTIFICATE-----' block; expected " + LAYOUT);
        }
        return out;
    }

    private static PrivateKey privateKey(Path file) throws TlsException {
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.US_ASCII); PEMParser p = new PEMParser(r)) {
            Object o = p.readObject();
            JcaPEMKeyConverter conv = new JcaPEMKeyConverter();
            if (o instanceof PEMKeyPair pair) {
                return conv.getPrivateKey(pair.getPrivateKeyInfo());
            }
            if (o instanceof PrivateKeyInfo info) {
                return conv.getPrivateKey(info);
            }
            throw new TlsException(file + (o == null ? " holds no PEM block" : " holds a " + o.getClass().getSimpleName())
                    + "; expected an unencrypted PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY block");
        } catch (NoSuchFileException e) {
            throw new TlsException(file + " does not exist; expected " + LAYOUT);
        } catch (IOException e) {
            throw new TlsException(file + " is not a PEM private key (" + e.getMessage() + ")", e);
        }
    }

    /** Signs a nonce with the key and checks it with the certificate's public key. */
    private static boolean matches(PrivateKey key, PublicKey pub) {
        String alg = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            default -> key.getAlgorithm(); // Ed25519, Ed448
        };
        try {
            byte[] nonce = "ballot-key-check".getBytes(StandardCharsets.US_ASCII);
            Signature s = Signature.getInstance(alg);
            s.initSign(key);
            s.update(nonce);
            byte[] sig = s.sign();
            Signature v = Signature.getInstance(alg);
            v.initVerify(pub);
            v.update(nonce);
            return v.verify(sig);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }
}
