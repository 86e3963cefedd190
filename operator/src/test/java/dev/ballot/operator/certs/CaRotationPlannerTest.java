package dev.ballot.operator.certs;

import dev.ballot.nodeapi.TlsReport;
import dev.ballot.operator.certs.CaRotationPlanner.Action;
import dev.ballot.operator.certs.CaRotationPlanner.MemberTls;
import dev.ballot.operator.certs.CaRotationPlanner.Plan;
import dev.ballot.operator.certs.CaRotationPlanner.State;
import dev.ballot.operator.certs.CaRotationPlanner.Step;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class CaRotationPlannerTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final Instant DUE = T0.plus(Duration.ofDays(730));
    private static final List<String> MEMBERS = List.of("ec-0", "ec-1", "ec-2");
    /** Fingerprints: OLD the CA before the rotation, NEW the one it brings in, OLDER one before OLD. */
    private static final String OLD = "0ld", NEW = "9ew", OLDER = "01der";

    private static MemberTls member(String issuer, String... trusted) {
        return MemberTls.of(new TlsReport("leaf", issuer, "2027-01-01T00:00:00Z", List.of(trusted)));
    }

    private static Map<String, MemberTls> all(MemberTls m) {
        Map<String, MemberTls> out = new LinkedHashMap<>();
        MEMBERS.forEach(n -> out.put(n, m));
        return out;
    }

    private static Map<String, MemberTls> with(Map<String, MemberTls> base, String name, MemberTls m) {
        Map<String, MemberTls> out = new LinkedHashMap<>(base);
        if (m == null) {
            out.remove(name);
        } else {
            out.put(name, m);
        }
        return out;
    }

    private static State idle(String done) {
        return new State(null, null, done, OLD, null, OLDER, DUE);
    }

    private static State trusting(String serving) {
        return new State(Step.TRUSTING, serving, null, OLD, NEW, null, DUE);
    }

    /** After the sign step: NEW signs, OLD is previous. */
    private static State signing(String serving) {
        return new State(Step.SIGNING, serving, null, NEW, null, OLD, DUE.plus(Duration.ofDays(1000)));
    }

    private static State dropping(String serving) {
        return new State(Step.DROPPING, serving, null, NEW, null, OLD, DUE.plus(Duration.ofDays(1000)));
    }

    private record Row(String what, Instant now, State state, String requested, Map<String, MemberTls> reports,
                       Action action, String request, String waitingForStartsWith) {
    }

    @Test
    void everyStepItsExitAndWhatHoldsIt() {
        Instant before = DUE.minusSeconds(1);
        Map<String, MemberTls> oldOnly = all(member(OLD, OLD));
        Map<String, MemberTls> trustBoth = all(member(OLD, OLD, NEW));
        Map<String, MemberTls> presentNew = all(member(NEW, NEW, OLD));
        Map<String, MemberTls> newOnly = all(member(NEW, NEW));
        var rows = List.of(
                new Row("idle, CA not due, nothing requested", before, idle(null), null, oldOnly, Action.NONE, null, null),
                new Row("idle, CA due: a scheduled rotation starts (no request)", DUE, idle(null), null, oldOnly,
                        Action.TRUST, null, null),
                new Row("idle, a request: an on-demand rotation starts", before, idle(null), "r1", oldOnly,
                        Action.TRUST, "r1", null),
                new Row("idle, the request already carried out: nothing", before, idle("r1"), "r1", oldOnly,
                        Action.NONE, null, null),
                new Row("idle, a blank annotation is no request", before, idle(null), " ", oldOnly, Action.NONE, null, null),
                new Row("trusting: every member trusts the new CA -> sign", before, trusting("r1"), "r1", trustBoth,
                        Action.SIGN, "r1", null),
                new Row("trusting: one member still trusts only the old CA -> wait for it", before, trusting("r1"), "r1",
                        with(trustBoth, "ec-1", member(OLD, OLD)), Action.NONE, "r1", "ec-1 does not trust the new CA"),
                new Row("trusting: a member that does not answer holds the step", before, trusting(null), null,
                        with(trustBoth, "ec-2", MemberTls.NOT_ANSWERING), Action.NONE, null, "ec-2 does not answer"),
                new Row("trusting: a member never heard from holds the step", before, trusting(null), null,
                        with(trustBoth, "ec-0", null), Action.NONE, null, "ec-0 does not answer"),
                new Row("trusting: a node without the tls field is unknown, not 'trusts nothing', and holds it", before,
                        trusting(null), null, with(trustBoth, "ec-0", MemberTls.of(null)), Action.NONE, null,
                        "ec-0 does not report its TLS material"),
                new Row("trusting (scheduled): a request arriving is adopted, the old CA will be dropped", before,
                        trusting(null), "r2", oldOnly, Action.ADOPT, "r2", null),
                new Row("trusting (on demand): a newer request waits for this rotation to finish", before,
                        trusting("r1"), "r2", trustBoth, Action.SIGN, "r1", null),
                new Row("trusting: the old CA falling due meanwhile changes nothing (this rotation replaces it)",
                        DUE.plus(Duration.ofDays(1)), trusting("r1"), "r1", with(trustBoth, "ec-1", member(OLD, OLD)),
                        Action.NONE, "r1", "ec-1"),
                new Row("signing: a member still presents the old CA's certificate -> wait", before, signing("r1"), "r1",
                        with(presentNew, "ec-2", member(OLD, NEW, OLD)), Action.NONE, "r1",
                        "ec-2 does not present a certificate of the new CA"),
                new Row("signing (on demand): all present the new CA's -> drop the old CA", before, signing("r1"), "r1",
                        presentNew, Action.DROP, "r1", null),
                new Row("signing (scheduled): all present the new CA's -> finish, the old CA stays trusted", before,
                        signing(null), null, presentNew, Action.FINISH, null, null),
                new Row("signing (scheduled): a request arriving is adopted", before, signing(null), "r3", presentNew,
                        Action.ADOPT, "r3", null),
                new Row("signing: a member not answering holds it", before, signing("r1"), "r1",
                        with(presentNew, "ec-0", MemberTls.NOT_ANSWERING), Action.NONE, "r1", "ec-0 does not answer"),
                new Row("dropping: a member still trusts the old CA -> wait", before, dropping("r1"), "r1",
                        with(newOnly, "ec-1", member(NEW, NEW, OLD)), Action.NONE, "r1", "ec-1 still trusts the old CA"),
                new Row("dropping: no member trusts the old CA -> finish, the request is carried out", before,
                        dropping("r1"), "r1", newOnly, Action.FINISH, "r1", null),
                new Row("dropping: a node without the field holds it", before, dropping("r1"), "r1",
                        with(newOnly, "ec-2", MemberTls.of(null)), Action.NONE, "r1", "ec-2 does not report"));
        for (Row r : rows) {
            Plan p = CaRotationPlanner.plan(r.now(), r.state(), r.requested(), MEMBERS, r.reports());
            assertThat(p.action()).as(r.what()).isEqualTo(r.action());
            assertThat(p.request()).as(r.what() + ": request served").isEqualTo(r.request());
            if (r.waitingForStartsWith() == null) {
                assertThat(p.waitingFor()).as(r.what() + ": waits for nobody").isNull();
            } else {
                assertThat(p.waitingFor()).as(r.what() + ": waits").startsWith(r.waitingForStartsWith());
            }
        }
    }

    @Test
    void theStepIsReadBackFromItsShownName() {
        for (Step s : Step.values()) {
            assertThat(Step.parse(s.shown())).contains(s);
        }
        assertThat(Step.parse("Rotating")).isEmpty();
        assertThat(Step.parse(null)).isEmpty();
    }
}
