package dev.ballot.operator.certs;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which certificates of a cluster to issue, renew or drop. Pure: the caller reads the Secrets and passes what they
 * hold ({@link Held}), and what the cluster needs now ({@code wanted}: certificate name to its subject alternative
 * names). A certificate is renewed at two thirds of its lifetime (cert-manager's default), so a renewal that fails
 * has a third of the lifetime to succeed before anything expires. The CA is renewed likewise, but in steps
 * ({@link CaRotationPlanner}): only a cluster without a usable CA gets one here, with every certificate at once.
 */
public final class CertificatePlanner {
    /** The CA lives three years (renewed after two); certificates 90 days (renewed after 60). */
    public static final Duration CA_VALIDITY = Duration.ofDays(3 * 365);
    public static final Duration CERT_VALIDITY = Duration.ofDays(90);

    /** A certificate as a Secret holds it. {@code byCurrentCa}: signed by the CA the plan keeps. */
    public record Held(Instant notBefore, Instant notAfter, Set<String> names, boolean byCurrentCa) {
        public Held {
            names = Set.copyOf(names);
        }

        /** When it should be replaced: two thirds into its lifetime. */
        public Instant renewAt() {
            Duration life = Duration.between(notBefore, notAfter);
            return notBefore.plus(life.multipliedBy(2).dividedBy(3));
        }
    }

    /**
     * @param newCa  why a new CA is made (missing, renewal), or null to keep the current one
     * @param issue  certificate name to why it is (re)issued, in the order of {@code wanted}
     * @param drop   certificates held but no longer wanted (a removed member or client)
     */
    public record Plan(String newCa, Map<String, String> issue, Set<String> drop) {
        public boolean changes() {
            return newCa != null || !issue.isEmpty() || !drop.isEmpty();
        }
    }

    /**
     * Renew every member, operator and client certificate now (same CA): set this annotation to any new value (e.g.
     * the time); status.tls.rotationRequest echoes the value once done. For a suspected key leak, or to check that
     * renewal works long before it is due.
     */
    public static final String ROTATE_CERTIFICATES = "ballot.dev/rotate-certificates";

    /** Whether {@code requested} (the annotation's value) is a request not taken up yet ({@code acknowledged}). */
    public static boolean rotationRequested(String requested, String acknowledged) {
        return requested != null && !requested.isBlank() && !requested.equals(acknowledged);
    }

    private CertificatePlanner() {
    }

    public static Plan plan(Instant now, Optional<Held> ca, Map<String, Held> held, Map<String, Set<String>> wanted) {
        return plan(now, ca, held, wanted, null);
    }

    /**
     * @param renewAll why every certificate (not the CA) is issued again now whatever its age, e.g. a user's request
     *                 (annotation {@value #ROTATE_CERTIFICATES}), or null
     */
    public static Plan plan(Instant now, Optional<Held> ca, Map<String, Held> held, Map<String, Set<String>> wanted,
                            String renewAll) {
        // A CA due for renewal is not replaced here: CaRotationPlanner first has every member trust the new one.
        String newCa = ca.isEmpty() ? "the cluster has no CA yet" : null;
        Map<String, String> issue = new LinkedHashMap<>();
        for (Map.Entry<String, Set<String>> w : wanted.entrySet()) {
            Held h = held.get(w.getKey());
            String why;
            if (h == null) {
                why = "missing";
            } else if (newCa != null || !h.byCurrentCa()) {
                why = "issued by another CA";
            } else if (!h.names().equals(Set.copyOf(w.getValue()))) {
                why = "its names changed";
            } else if (!now.isBefore(h.renewAt())) {
                why = "expires at " + h.notAfter() + " (renewed at two thirds of its life)";
            } else if (renewAll != null) {
                why = renewAll;
            } else {
                continue;
            }
            issue.put(w.getKey(), why);
        }
        Set<String> drop = new TreeSet<>(held.keySet());
        drop.removeAll(wanted.keySet());
        return new Plan(newCa, issue, drop);
    }

    /** The certificate among {@code held} that expires first, if any. */
    public static Optional<Map.Entry<String, Held>> nextExpiring(Map<String, Held> held) {
        return held.entrySet().stream().min(Map.Entry.comparingByValue(java.util.Comparator.comparing(Held::notAfter)));
    }
}
