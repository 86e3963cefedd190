package dev.ballot.operator.certs;

import dev.ballot.operator.certs.CertificatePlanner.Held;
import dev.ballot.operator.certs.CertificatePlanner.Plan;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class CertificatePlannerTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final Set<String> EC0 = Set.of("DNS:ec-0.ec-peers.ns.svc", "URI:ballot://ec/members/ec-0");
    private static final Held CA = new Held(T0, T0.plus(Duration.ofDays(900)), Set.of(), true);

    private static Held cert(Instant from, Set<String> names, boolean byCurrentCa) {
        return new Held(from, from.plus(Duration.ofDays(90)), names, byCurrentCa);
    }

    private record Row(String what, Instant now, Optional<Held> ca, Map<String, Held> held, Map<String, Set<String>> wanted,
                       boolean newCa, Map<String, String> issueReasonsStartWith, Set<String> drop) {
    }

    @Test
    void decidesWhatToIssueRenewAndDrop() {
        Instant day10 = T0.plus(Duration.ofDays(10));
        Instant day61 = T0.plus(Duration.ofDays(61));
        Instant day601 = T0.plus(Duration.ofDays(601));
        var rows = java.util.List.of(
                new Row("a new cluster: CA and every certificate", T0, Optional.empty(), Map.of(),
                        Map.of("ec-0", EC0, "operator", Set.of("URI:ballot://operator")), true,
                        Map.of("ec-0", "missing", "operator", "missing"), Set.of()),
                new Row("all fresh: nothing", day10, Optional.of(CA), Map.of("ec-0", cert(T0, EC0, true)),
                        Map.of("ec-0", EC0), false, Map.of(), Set.of()),
                new Row("just before two thirds: nothing", T0.plus(Duration.ofDays(59)), Optional.of(CA),
                        Map.of("ec-0", cert(T0, EC0, true)), Map.of("ec-0", EC0), false, Map.of(), Set.of()),
                new Row("past two thirds: renew", day61, Optional.of(CA), Map.of("ec-0", cert(T0, EC0, true)),
                        Map.of("ec-0", EC0), false, Map.of("ec-0", "expires at"), Set.of()),
                new Row("names changed: reissue", day10, Optional.of(CA),
                        Map.of("ec-0", cert(T0, Set.of("DNS:old"), true)), Map.of("ec-0", EC0), false,
                        Map.of("ec-0", "its names changed"), Set.of()),
                new Row("issued by a CA the Secret no longer holds: reissue", day10, Optional.of(CA),
                        Map.of("ec-0", cert(T0, EC0, false)), Map.of("ec-0", EC0), false,
                        Map.of("ec-0", "issued by another CA"), Set.of()),
                new Row("a member scaled away: drop its certificate", day10, Optional.of(CA),
                        Map.of("ec-0", cert(T0, EC0, true), "ec-3", cert(T0, Set.of("DNS:x"), true)),
                        Map.of("ec-0", EC0), false, Map.of(), Set.of("ec-3")),
                new Row("CA past two thirds: not replaced here (CaRotationPlanner's steps), nothing reissued", day601,
                        Optional.of(CA), Map.of("ec-0", cert(day601.minus(Duration.ofDays(1)), EC0, true)),
                        Map.of("ec-0", EC0), false, Map.of(), Set.of()));
        for (Row r : rows) {
            Plan p = CertificatePlanner.plan(r.now(), r.ca(), r.held(), r.wanted());
            assertThat(p.newCa() != null).as(r.what() + ": new CA").isEqualTo(r.newCa());
            assertThat(p.issue().keySet()).as(r.what() + ": issued").isEqualTo(r.issueReasonsStartWith().keySet());
            r.issueReasonsStartWith().forEach((name, why) -> assertThat(p.issue().get(name)).as(r.what()).startsWith(why));
            assertThat(p.drop()).as(r.what() + ": dropped").isEqualTo(r.drop());
            assertThat(p.changes()).as(r.what() + ": changes").isEqualTo(r.newCa() || !r.issueReasonsStartWith().isEmpty()
                    || !r.drop().isEmpty());
        }
    }

    @Test
    void aRotationRequestRenewsEveryFreshCertificateButKeepsTheCaAndDropsWhatIsGone() {
        Instant day10 = T0.plus(Duration.ofDays(10));
        Set<String> op = Set.of("URI:ballot://operator");
        Plan p = CertificatePlanner.plan(day10, Optional.of(CA),
                Map.of("ec-0", cert(T0, EC0, true), "operator", cert(T0, op, true), "ec-3", cert(T0, Set.of("DNS:x"), true)),
                Map.of("ec-0", EC0, "operator", op), "renewal requested");
        assertThat(p.newCa()).as("the CA stays").isNull();
        assertThat(p.issue()).isEqualTo(Map.of("ec-0", "renewal requested", "operator", "renewal requested"));
        assertThat(p.drop()).containsExactly("ec-3");
        Plan missing = CertificatePlanner.plan(day10, Optional.of(CA), Map.of(), Map.of("ec-0", EC0), "renewal requested");
        assertThat(missing.issue()).as("a more precise reason wins").isEqualTo(Map.of("ec-0", "missing"));
    }

    @Test
    void aRotationIsRequestedByANewAnnotationValueOnly() {
        assertThat(CertificatePlanner.rotationRequested("2026-12-06T21:00", null)).isTrue();
        assertThat(CertificatePlanner.rotationRequested("2026-12-06T21:00", "2026-12-06T20:00")).isTrue();
        assertThat(CertificatePlanner.rotationRequested("2026-12-06T21:00", "2026-12-06T21:00")).as("done").isFalse();
        assertThat(CertificatePlanner.rotationRequested(null, "x")).isFalse();
        assertThat(CertificatePlanner.rotationRequested(" ", null)).isFalse();
    }

    @Test
    void nextExpiringIsTheEarliest() {
        var held = Map.of("a", cert(T0, EC0, true), "b", cert(T0.minus(Duration.ofDays(1)), EC0, true));
        assertThat(CertificatePlanner.nextExpiring(held).orElseThrow().getKey()).isEqualTo("b");
        assertThat(CertificatePlanner.nextExpiring(Map.of())).isEmpty();
    }
}
