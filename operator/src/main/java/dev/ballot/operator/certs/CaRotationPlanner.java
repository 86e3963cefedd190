package dev.ballot.operator.certs;

import dev.ballot.nodeapi.TlsReport;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The steps of replacing a cluster's CA without a member ever refusing another (or the operator). Pure: the caller
 * reads where the rotation stands from the CA Secret ({@link State}, never from memory, so an operator restart between
 * steps carries on) and what each member reports of its TLS material ({@link TlsReport}, {@code GET /v1/status}).
 * <ol>
 *   <li>{@link Step#TRUSTING}: a new CA is made but signs nothing; every bundle is current + next. Left when every
 *       member reports it trusts the new CA.</li>
 *   <li>{@link Step#SIGNING}: the new CA signs; every certificate is issued again; bundles are new + previous. Left
 *       when every member presents a certificate of the new CA. A scheduled renewal ends here (the previous CA stays
 *       trusted until it expires: applications may reload their client Secret late).</li>
 *   <li>{@link Step#DROPPING}, on demand only (a suspected leak): the previous CA leaves every bundle. Left when no
 *       member trusts it any more.</li>
 * </ol>
 * A member that does not answer, or reports no {@code tls} (a node from before the field), holds the rotation at its
 * step: the plan says which member it waits for, and never skips it.
 */
public final class CaRotationPlanner {
    /**
     * Replace the cluster's CA now (two steps, then the old CA is no longer trusted): set this annotation to any new
     * value; status.tls.caRotationRequest echoes it once every step is done.
     */
    public static final String ROTATE_CA = "ballot.dev/rotate-ca";

    public enum Step {
        TRUSTING("Trusting"), SIGNING("Signing"), DROPPING("Dropping");

        private final String shown;

        Step(String shown) {
            this.shown = shown;
        }

        /** As status.tls.caRotation shows it. */
        public String shown() {
            return shown;
        }

        public static Optional<Step> parse(String shown) {
            for (Step s : values()) {
                if (s.shown.equals(shown)) {
                    return Optional.of(s);
                }
            }
            return Optional.empty();
        }
    }

    /**
     * Where a CA rotation stands, as the CA Secret records it.
     *
     * @param step      the step in progress, or null when none is
     * @param serving   the on-demand request ({@value #ROTATE_CA}) the rotation in progress serves; null for a
     *                  scheduled renewal (it has no drop step) or without a rotation
     * @param done      the last request carried out to its end (what status.tls.caRotationRequest echoes), or null
     * @param current   fingerprint of the CA that signs now
     * @param next      fingerprint of the CA trusted but not signing yet (while {@link Step#TRUSTING})
     * @param previous  fingerprint of the CA that signed before (after {@link Step#SIGNING}), or null
     * @param caRenewAt when the signing CA is due for renewal (two thirds of its life)
     */
    public record State(Step step, String serving, String done, String current, String next, String previous, Instant caRenewAt) {
    }

    /** A member's answer about its TLS material: not answering, answering without {@code tls}, or its report. */
    public record MemberTls(boolean answered, TlsReport tls) {
        public static final MemberTls NOT_ANSWERING = new MemberTls(false, null);

        public static MemberTls of(TlsReport tls) {
            return new MemberTls(true, tls);
        }
    }

    public enum Action {
        /** Nothing to do: no rotation, or one waiting on a member ({@link Plan#waitingFor}). */
        NONE,
        /** Make a new CA and trust it beside the current one ({@link Step#TRUSTING}). */
        TRUST,
        /** The new CA becomes the signer, every certificate is issued again ({@link Step#SIGNING}). */
        SIGN,
        /** The previous CA leaves every bundle ({@link Step#DROPPING}). */
        DROP,
        /** Every step is done: the rotation ends (its request, if any, is acknowledged). */
        FINISH,
        /** A scheduled rotation in progress takes up an on-demand request: it will drop the old CA at its end. */
        ADOPT
    }

    /**
     * @param action     what to do now
     * @param request    the request the rotation serves after this action (null: scheduled)
     * @param why        why, for Events
     * @param waitingFor null, or which member holds the rotation at its step and why (for status and logs)
     */
    public record Plan(Action action, String request, String why, String waitingFor) {
        static Plan none() {
            return new Plan(Action.NONE, null, null, null);
        }
    }

    private CaRotationPlanner() {
    }

    /**
     * @param state     where the rotation stands (from the CA Secret)
     * @param requested the cluster's {@value #ROTATE_CA} annotation, or null
     * @param members   every member the cluster has now, by name, in order; a member missing here is not answering
     */
    public static Plan plan(Instant now, State state, String requested, List<String> members, Map<String, MemberTls> reports) {
        boolean pending = requested != null && !requested.isBlank() && !requested.equals(state.done())
                && !requested.equals(state.serving());
        if (state.step() == null) {
            if (pending) {
                return new Plan(Action.TRUST, requested, "rotation requested (" + ROTATE_CA + ": " + requested + ")", null);
            }
            if (!now.isBefore(state.caRenewAt())) {
                return new Plan(Action.TRUST, null, "the CA is due for renewal at " + state.caRenewAt()
                        + " (two thirds of its life)", null);
            }
            return Plan.none();
        }
        // A scheduled rotation in progress serves a request that arrives meanwhile (its new CA was never given out
        // before this rotation); a rotation already serving a request finishes first, the newer one then starts anew.
        if (pending && state.serving() == null) {
            return new Plan(Action.ADOPT, requested, "rotation requested (" + ROTATE_CA + ": " + requested
                    + ") during a scheduled CA renewal: it will also stop trusting the old CA", null);
        }
        return switch (state.step()) {
            case TRUSTING -> {
                String waiting = firstNot(members, reports, t -> t.trusts(state.next()), "does not trust the new CA yet");
                yield waiting != null ? new Plan(Action.NONE, state.serving(), null, waiting)
                        : new Plan(Action.SIGN, state.serving(), "every member trusts the new CA", null);
            }
            case SIGNING -> {
                String waiting = firstNot(members, reports, t -> state.current().equals(t.issuerSha256()),
                        "does not present a certificate of the new CA yet");
                if (waiting != null) {
                    yield new Plan(Action.NONE, state.serving(), null, waiting);
                }
                yield state.serving() == null
                        ? new Plan(Action.FINISH, null, "every member presents a certificate of the new CA; the old CA "
                        + "stays trusted until it expires", null)
                        : new Plan(Action.DROP, state.serving(), "every member presents a certificate of the new CA", null);
            }
            case DROPPING -> {
                String waiting = state.previous() == null ? null
                        : firstNot(members, reports, t -> !t.trusts(state.previous()), "still trusts the old CA");
                yield waiting != null ? new Plan(Action.NONE, state.serving(), null, waiting)
                        : new Plan(Action.FINISH, state.serving(), "no member trusts the old CA any more", null);
            }
        };
    }

    /** The first member whose report does not satisfy {@code ok}, with why; null when all do. */
    private static String firstNot(List<String> members, Map<String, MemberTls> reports,
                                   java.util.function.Predicate<TlsReport> ok, String otherwise) {
        for (String m : members) {
            MemberTls r = reports.get(m);
            if (r == null || !r.answered()) {
                return m + " does not answer";
            }
            if (r.tls() == null) {
                return m + " does not report its TLS material (a node from before the status field 'tls'?)";
            }
            if (!ok.test(r.tls())) {
                return m + " " + otherwise;
            }
        }
        return null;
    }
}
