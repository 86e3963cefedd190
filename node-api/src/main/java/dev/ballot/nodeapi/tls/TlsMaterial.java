package dev.ballot.nodeapi.tls;

import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
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

    public TlsMaterial {
        chain = List.copyOf(chain);
        authorities = List.copyOf(authorities);
    }

    /** This party's own certificate. */
    public X509Certificate leaf() {
        return chain.get(0);
    }

    public static TlsMaterial load(Path dir) throws TlsException {
        return load(dir, null);
    }

    /** Presents {@link #chain} with {@link #key} and trusts {@link #authorities}. */
    SwitchableTls.Managers managers() {
        return SwitchableTls.managers(List.of(this));
    }

    /** {@code <member>.crt} when {@code member} is set and that file exists, else {@code tls.crt}. */
    static Path certFile(Path dir, String member) {
        Path own = member == null ? null : dir.resolve(member + ".crt");
        return own != null && Files.exists(own) ? own : dir.resolve(CERT_FILE);
    }

    /** {@code <member>.key} when {@code member} is set and that file exists, else {@code tls.key}. */
    static Path keyFile(Path dir, String member) {
        Path own = member == null ? null : dir.resolve(member + ".key");
        return own != null && Files.exists(own) ? own : dir.resolve(KEY_FILE);
    }

    /**
     * Like {@link #load(Path)}, but {@code <member>.crt} and {@code <member>.key} take the place of {@code tls.crt} and
     * {@code tls.key} when they exist: the operator keeps every member's certificate in one Secret, which all member pods
     * mount, and each picks its own by name.
     */
    public static TlsMaterial load(Path dir, String member) throws TlsException {
        Path certFile = certFile(dir, member);
        Path keyFile = keyFile(dir, member);
        List<X509Certificate> chain = readFile(certFile, TlsMaterial::certificates);
        List<X509Certificate> cas = readFile(dir.resolve(CA_FILE), TlsMaterial::certificates);
        PrivateKey key = readFile(keyFile, TlsMaterial::privateKey);
        if (!matches(key, chain.get(0).getPublicKey())) {
            throw new TlsException(keyFile + " is not the private key of the certificate in " + certFile + " ("
                    + chain.get(0).getSubjectX500Principal().getName() + "); write the key and certificate of one issuance together");
        }
        return new TlsMaterial(key, chain, cas);
    }

    /** The certificates of a PEM text (a Secret's value). */
    public static List<X509Certificate> parseCertificates(String pem, String what) throws TlsException {
        return certificates(new java.io.StringReader(pem), what);
    }

    /** The private key of a PEM text (a Secret's value). */
    public static PrivateKey parsePrivateKey(String pem, String what) throws TlsException {
        return privateKey(new java.io.StringReader(pem), what);
    }

    /** How a PEM file's text becomes what it holds; {@code file} names it in the error. */
    private interface PemReader<T> {
        T read(Reader r, String file) throws TlsException;
    }

    /** Reads one file of the directory; a missing or unreadable file is an error naming it and the layout. */
    private static <T> T readFile(Path file, PemReader<T> parse) throws TlsException {
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.US_ASCII)) {
            return parse.read(r, file.toString());
        } catch (NoSuchFileException e) {
            throw new TlsException(file + " does not exist; expected " + LAYOUT);
        } catch (IOException e) {
            throw new TlsException(file + " cannot be read (" + e.getMessage() + ")", e);
        }
    }

    private static List<X509Certificate> certificates(Reader r, String file) throws TlsException {
        List<X509Certificate> out = new ArrayList<>();
        try (PEMParser p = new PEMParser(r)) {
            JcaX509CertificateConverter conv = new JcaX509CertificateConverter();
            for (Object o = p.readObject(); o != null; o = p.readObject()) {
                if (!(o instanceof X509CertificateHolder h)) {
                    throw new TlsException(file + " holds a " + o.getClass().getSimpleName()
                            + " where only CERTIFICATE blocks belong; keep the key in " + KEY_FILE);
                }
                out.add(conv.getCertificate(h));
            }
        } catch (IOException | GeneralSecurityException e) {
            throw new TlsException(file + " is not a PEM certificate file (" + e.getMessage() + "); expected " + LAYOUT, e);
        }
        if (out.isEmpty()) {
            throw new TlsException(file + " holds no '-----BEGIN CERTIFICATE-----' block; expected " + LAYOUT);
        }
        return out;
    }

    private static PrivateKey privateKey(Reader r, String file) throws TlsException {
        try (PEMParser p = new PEMParser(r)) {
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
        } catch (IOException e) {
            throw new TlsException(file + " is not a PEM private key (" + e.getMessage() + ")", e);
        }
    }

    /**
     * Whether {@code key} is the private key of {@code pub}: signs a nonce with the key and checks it with the public
     * key. Also the operator's check of Secrets a user provides.
     */
    public static boolean matches(PrivateKey key, PublicKey pub) {
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
