package dev.ballot.operator.reconciler;

import dev.ballot.nodeapi.tls.CertificateAuthority;
import dev.ballot.operator.certs.CaRotationPlanner;
import dev.ballot.operator.certs.CaRotationPlanner.Step;
import dev.ballot.operator.status.EventToPublish;

import java.util.function.Supplier;

/**
 * One step of a CA rotation ({@link CaRotationPlanner}'s plan) applied to the CA Secret's value ({@link ClusterCa}):
 * the Secret's next content and the Event that announces it. The certificates and bundles follow from the new value
 * ({@link ClusterCa#trusted}, and a signer change has every certificate issued again).
 *
 * @param keys       the CA Secret's next value
 * @param event      the Event to publish, or null when nothing changed (then {@code keys} is unchanged)
 * @param signed     true when the signing CA changed
 * @param waitingFor which member holds the rotation, or null
 */
record CaStep(ClusterCa keys, EventToPublish event, boolean signed, String waitingFor) {

    static CaStep take(ClusterCa keys, CaRotationPlanner.Plan plan, Supplier<CertificateAuthority> newCa) {
        String served = plan.request() == null ? "scheduled renewal" : "requested: " + plan.request();
        return switch (plan.action()) {
            case NONE -> new CaStep(keys, null, false, plan.waitingFor());
            case TRUST -> {
                CertificateAuthority next = newCa.get();
                yield new CaStep(new ClusterCa(keys.current(), next, keys.previous(), Step.TRUSTING, plan.request(),
                        keys.done()), EventToPublish.normal("CaRotationTrusting", "made a new CA (" + plan.why()
                        + "), valid until " + next.certificate().getNotAfter().toInstant() + "; every member is given it to "
                        + "trust beside the current one before it signs anything"), false, null);
            }
            case ADOPT -> new CaStep(keys.withStep(keys.step(), plan.request()), EventToPublish.normal(
                    "CaRotationRequested", plan.why()), false, null);
            case SIGN -> new CaStep(new ClusterCa(keys.next(), null, keys.current().certificate(), Step.SIGNING,
                    plan.request(), keys.done()), EventToPublish.normal("CaRotationSigning", plan.why() + " (" + served
                    + "): it signs from now on and every certificate is issued again; the old CA stays trusted"),
                    true, null);
            case DROP -> new CaStep(keys.withStep(Step.DROPPING, plan.request()), EventToPublish.normal(
                    "CaRotationDropping", plan.why() + " (" + served + "): the old CA leaves every bundle; "
                    + "certificates it signed are refused from now on"), false, null);
            case FINISH -> new CaStep(new ClusterCa(keys.current(), null,
                    plan.request() == null ? keys.previous() : null, null, null,
                    plan.request() == null ? keys.done() : plan.request()), EventToPublish.normal("CaRotationDone",
                    plan.why() + " (" + served + ")"), false, null);
        };
    }
}
