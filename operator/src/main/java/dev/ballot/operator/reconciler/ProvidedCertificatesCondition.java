package dev.ballot.operator.reconciler;

import dev.ballot.operator.api.ElectionClusterStatus;
import dev.ballot.operator.status.StatusConditions;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@value ProvidedCertificates#CONDITION} condition of a cluster with {@code spec.tls.certificates: Provided}: True
 * (reason {@code Valid}) when every provided Secret holds a usable certificate, False (reason {@code InvalidSecret})
 * naming each Secret and what is wrong. Added to the conditions the status builder made. Pure.
 */
final class ProvidedCertificatesCondition {
    static final String VALID = "Valid";
    static final String INVALID = "InvalidSecret";

    private ProvidedCertificatesCondition() {
    }

    /** {@code now}'s conditions with this one set (transition time kept while its status is unchanged). */
    static List<Condition> merge(ElectionClusterStatus previous, ElectionClusterStatus now, String problem, Instant t) {
        long generation = now.observedGeneration == null ? 0 : now.observedGeneration;
        Condition c = StatusConditions.condition(ProvidedCertificates.CONDITION, problem == null, generation,
                problem == null ? VALID : INVALID, problem == null
                        ? "every member's Secret <pod>-member-tls and the operator's <name>-operator-tls hold a valid"
                        + " certificate (chain to ca.crt, names, dates), copied for the members" : problem);
        List<Condition> out = new ArrayList<>();
        if (now.conditions != null) {
            now.conditions.stream().filter(x -> !ProvidedCertificates.CONDITION.equals(x.getType())).forEach(out::add);
        }
        List<Condition> stamped = StatusConditions.withTransitionTimes(previous == null ? null : previous.conditions,
                List.of(c), t);
        out.addAll(stamped);
        return out;
    }
}
