package dev.ballot.operator.certs;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The check of a Secret a user provides in cert-manager's layout, with real certificates made here as cert-manager's
 * CA issuer makes them (RSA, PKCS#1 keys, intermediates in tls.crt).
 */
class ProvidedCertificateTest {
    private static final Instant NOW = Instant.parse("2026-12-07T00:00:00Z");
    private static final String HOST = "sec-1.sec-peers.prod.svc";
    private static final String CLIENT = "sec-client.prod.svc";
    private static final ProvidedCertificate.Wanted MEMBER = new ProvidedCertificate.Wanted(Set.of(HOST, CLIENT), false);
    private static final ProvidedCertificate.Wanted OPERATOR = new ProvidedCertificate.Wanted(Set.of(), true);
    private static CertManagerIssuer issuer;
    private static CertManagerIssuer intermediate;
    private static CertManagerIssuer otherIssuer;

    @BeforeAll
    static void issuers() throws Exception {
        issuer = CertManagerIssuer.root("cluster-issuer", NOW);
        intermediate = issuer.intermediate("cluster-intermediate", NOW);
        otherIssuer = CertManagerIssuer.root("someone-else", NOW);
    }

    private static Map<String, String> member(List<String> names) throws Exception {
        return issuer.secret(names, NOW.minusSeconds(3600), NOW.plus(Duration.ofDays(90)));
    }

    private static List<String> memberNames() {
        return List.of("DNS:" + HOST, "DNS:" + CLIENT, "DNS:" + HOST + ".cluster.local", "URI:ballot://sec/members/sec-1");
    }

    /** Each case: how the Secret is made, and the start of the problem (empty: usable). */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "valid member                         | ",
        "valid member through an intermediate | ",
        "valid operator                       | ",
        "no Secret                            | not found",
        "no tls.key                           | lacks tls.key",
        "no ca.crt and no tls.crt             | lacks tls.crt, ca.crt",
        "another certificate's key            | tls.key is not the private key of tls.crt",
        "another CA's ca.crt                  | tls.crt does not chain to ca.crt",
        "expired                              | tls.crt expired at 2026-12-06T00:00:00Z",
        "not valid yet                        | tls.crt is not valid before 2026-12-08T00:00:00Z",
        "without the client Service's name    | tls.crt's DNS names",
        "a member naming the operator         | tls.crt names the operator",
        "an operator without its URI          | tls.crt lacks the URI SAN ballot://operator",
        "garbage in tls.crt                   | is unreadable"})
    void checks(String label, String problem) throws Exception {
        ProvidedCertificate.Wanted wanted = label.contains("operator") && !label.contains("member") ? OPERATOR : MEMBER;
        Map<String, String> data = switch (label) {
            case "valid member" -> member(memberNames());
            case "valid member through an intermediate" ->
                    intermediate.secret(memberNames(), NOW.minusSeconds(3600), NOW.plus(Duration.ofDays(90)));
            case "valid operator" -> member(List.of("URI:ballot://operator"));
            case "no Secret" -> null;
            case "no tls.key" -> without(member(memberNames()), "tls.key");
            case "no ca.crt and no tls.crt" -> without(without(member(memberNames()), "ca.crt"), "tls.crt");
            case "another certificate's key" -> with(member(memberNames()), "tls.key", member(memberNames()).get("tls.key"));
            case "another CA's ca.crt" -> with(member(memberNames()), "ca.crt",
                    otherIssuer.secret(memberNames(), NOW.minusSeconds(60), NOW.plusSeconds(60)).get("ca.crt"));
            case "expired" -> issuer.secret(memberNames(), NOW.minus(Duration.ofDays(91)), NOW.minus(Duration.ofDays(1)));
            case "not valid yet" -> issuer.secret(memberNames(), NOW.plus(Duration.ofDays(1)), NOW.plus(Duration.ofDays(91)));
            case "without the client Service's name" -> member(List.of("DNS:" + HOST));
            case "a member naming the operator" -> member(List.of("DNS:" + HOST, "DNS:" + CLIENT, "URI:ballot://operator"));
            case "an operator without its URI" -> member(List.of("DNS:operator.example"));
            case "garbage in tls.crt" -> with(member(memberNames()), "tls.crt", "-----BEGIN CERTIFICATE-----\nAAAA\n"
                    + "-----END CERTIFICATE-----\n");
            default -> throw new IllegalArgumentException(label);
        };
        ProvidedCertificate.Verdict v = ProvidedCertificate.check(data, wanted, NOW);
        if (problem == null) {
            assertThat(v.problem()).as(label).isNull();
            assertThat(v.usable().leaf().getSubjectX500Principal().getName()).isEqualTo("CN=leaf");
            assertThat(v.usable().chain()).hasSize(label.contains("intermediate") ? 2 : 1);
            assertThat(v.usable().key().getAlgorithm()).isEqualTo("RSA");
        } else {
            assertThat(v.ok()).as(label).isFalse();
            assertThat(v.problem()).as(label).startsWith(problem);
        }
    }

    @Test
    void theMissingNamesAndTheFixAreNamed() throws Exception {
        String problem = ProvidedCertificate.check(member(List.of("DNS:" + HOST)), MEMBER, NOW).problem();
        assertThat(problem).contains("lack " + CLIENT).contains("dnsNames");
        assertThat(ProvidedCertificate.check(member(List.of("DNS:x")), MEMBER, NOW).problem()).contains(HOST, CLIENT);
    }

    @Test
    void cerManagersPkcs1KeyIsRead() throws Exception {
        Map<String, String> data = member(memberNames());
        assertThat(data.get("tls.key")).startsWith("-----BEGIN RSA PRIVATE KEY-----");
        assertThat(ProvidedCertificate.check(data, MEMBER, NOW).ok()).isTrue();
    }

    private static Map<String, String> without(Map<String, String> data, String key) {
        Map<String, String> out = new HashMap<>(data);
        out.remove(key);
        return out;
    }

    private static Map<String, String> with(Map<String, String> data, String key, String value) {
        Map<String, String> out = new HashMap<>(data);
        out.put(key, value);
        return out;
    }
}
