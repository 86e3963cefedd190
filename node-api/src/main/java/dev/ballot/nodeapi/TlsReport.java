package dev.ballot.nodeapi;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import java.util.List;

/**
 * The {@code tls} object of {@code GET /v1/status} (docs/node-api.md, "Status"): what a member's TLS material holds at
 * this moment, as SHA-256 of each certificate's DER in lower-case hex. The operator rotates a cluster's CA in steps and
 * moves on only when every member reports it trusts (then presents) the new CA. Absent on a member without TLS, and
 * from nodes older than the field: an operator reads that as "not known", never as "trusts nothing".
 *
 * @param certificateSha256 the member's own certificate (its leaf)
 * @param issuerSha256      the CA certificate (among those it trusts or its chain) that signed the leaf; null when none
 *                          of them did (a certificate from a CA it does not hold)
 * @param notAfter          when the leaf expires (ISO-8601)
 * @param trustedCaSha256   every CA certificate of its loaded {@code ca.crt}, in file order
 */
@JsonPropertyOrder({"certificateSha256", "issuerSha256", "notAfter", "trustedCaSha256"})
public record TlsReport(String certificateSha256, String issuerSha256, String notAfter, List<String> trustedCaSha256) {
    public TlsReport {
        trustedCaSha256 = trustedCaSha256 == null ? List.of() : List.copyOf(trustedCaSha256);
    }

    /** Whether the member trusts the CA of this fingerprint. */
    public boolean trusts(String caSha256) {
        return trustedCaSha256.contains(caSha256);
    }
}
