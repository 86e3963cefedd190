package dev.ballot.nodeapi.tls;

import dev.ballot.nodeapi.TlsReport;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/** SHA-256 fingerprints of certificates (of their DER), as members report them and the operator compares them. */
public final class Fingerprints {
    private Fingerprints() {
    }

    /** Lower-case hex SHA-256 of the certificate's DER encoding. */
    public static String sha256(X509Certificate cert) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(cert.getEncoded()));
        } catch (CertificateEncodingException e) {
            throw new IllegalArgumentException("a certificate without a DER encoding: " + e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no SHA-256: " + e.getMessage(), e);
        }
    }

    /** What {@code material} holds, as the {@code tls} object of a member's status. */
    public static TlsReport report(TlsMaterial material) {
        X509Certificate leaf = material.leaf();
        List<X509Certificate> candidates = new ArrayList<>(material.chain().subList(1, material.chain().size()));
        candidates.addAll(material.authorities());
        String issuer = null;
        for (X509Certificate c : candidates) {
            if (signed(leaf, c)) {
                issuer = sha256(c);
                break;
            }
        }
        return new TlsReport(sha256(leaf), issuer, leaf.getNotAfter().toInstant().toString(),
                material.authorities().stream().map(Fingerprints::sha256).toList());
    }

    /** Whether {@code ca} signed {@code cert} (names match and the signature verifies). */
    public static boolean signed(X509Certificate cert, X509Certificate ca) {
        if (!cert.getIssuerX500Principal().equals(ca.getSubjectX500Principal())) {
            return false;
        }
        try {
            cert.verify(ca.getPublicKey());
            return true;
        } catch (GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }
}
