package dev.ballot.operator.certs;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Issues certificates as cert-manager's CA issuer does (BouncyCastle): RSA 2048 keys written in PKCS#1
 * ({@code BEGIN RSA PRIVATE KEY}, cert-manager's default encoding), {@code tls.crt} the leaf followed by any
 * intermediates, {@code ca.crt} the root. For tests of Secrets a user provides.
 */
final class CertManagerIssuer {
    private static final SecureRandom RANDOM = new SecureRandom();
    final KeyPair key;
    final X509Certificate cert;
    /** Intermediates between this issuer and the root, nearest first (empty for the root). */
    private final List<X509Certificate> chain;
    private final X509Certificate root;

    private CertManagerIssuer(KeyPair key, X509Certificate cert, List<X509Certificate> chain, X509Certificate root) {
        this.key = key;
        this.cert = cert;
        this.chain = chain;
        this.root = root;
    }

    static CertManagerIssuer root(String cn, Instant now) throws Exception {
        KeyPair k = rsa();
        X509Certificate c = sign(new X500Name("CN=" + cn), k, new X500Name("CN=" + cn), k, now.minusSeconds(60),
                now.plus(Duration.ofDays(365)), true, List.of());
        return new CertManagerIssuer(k, c, List.of(), c);
    }

    CertManagerIssuer intermediate(String cn, Instant now) throws Exception {
        KeyPair k = rsa();
        X509Certificate c = sign(new X500Name(cert.getSubjectX500Principal().getName()), key, new X500Name("CN=" + cn),
                k, now.minusSeconds(60), now.plus(Duration.ofDays(180)), true, List.of());
        List<X509Certificate> up = new ArrayList<>();
        up.add(c);
        up.addAll(chain);
        return new CertManagerIssuer(k, c, up, root);
    }

    /** A Secret's data in cert-manager's layout; names are {@code DNS:x} or {@code URI:x}. */
    Map<String, String> secret(List<String> names, Instant notBefore, Instant notAfter) throws Exception {
        KeyPair k = rsa();
        X509Certificate leaf = sign(new X500Name(cert.getSubjectX500Principal().getName()), key, new X500Name("CN=leaf"),
                k, notBefore, notAfter, false, names);
        StringBuilder tls = new StringBuilder(pem(leaf));
        for (X509Certificate c : chain) {
            tls.append(pem(c));
        }
        Map<String, String> data = new LinkedHashMap<>();
        data.put("tls.crt", tls.toString());
        data.put("tls.key", pem(k.getPrivate()));
        data.put("ca.crt", pem(root));
        return data;
    }

    private static KeyPair rsa() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048, RANDOM);
        return g.generateKeyPair();
    }

    private static X509Certificate sign(X500Name issuer, KeyPair issuerKey, X500Name subject, KeyPair subjectKey,
                                        Instant notBefore, Instant notAfter, boolean ca, List<String> names)
            throws Exception {
        JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuer, new BigInteger(64, RANDOM).add(BigInteger.ONE),
                Date.from(notBefore), Date.from(notAfter), subject, subjectKey.getPublic());
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(ca ? KeyUsage.keyCertSign | KeyUsage.digitalSignature
                : KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
        if (!names.isEmpty()) {
            List<GeneralName> sans = new ArrayList<>();
            for (String n : names) {
                sans.add(n.startsWith("URI:") ? new GeneralName(GeneralName.uniformResourceIdentifier, n.substring(4))
                        : new GeneralName(GeneralName.dNSName, n.substring(4)));
            }
            b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(sans.toArray(new GeneralName[0])));
        }
        return new JcaX509CertificateConverter().getCertificate(b.build(
                new JcaContentSignerBuilder("SHA256withRSA").build(issuerKey.getPrivate())));
    }

    static String pem(Object o) throws IOException {
        StringWriter s = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(s)) {
            w.writeObject(o);
        }
        return s.toString();
    }
}
