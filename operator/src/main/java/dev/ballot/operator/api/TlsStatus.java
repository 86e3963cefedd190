package dev.ballot.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** The certificates the operator keeps for a cluster. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class TlsStatus {
    @JsonPropertyDescription("When the cluster's CA certificate expires (RFC 3339); renewed at two thirds of its life.")
    public String caNotAfter;

    @JsonPropertyDescription("The certificate (member, operator or client) that expires first.")
    public String nextExpiring;

    @JsonPropertyDescription("When that certificate expires (RFC 3339); renewed at two thirds of its life.")
    public String nextNotAfter;

    @JsonPropertyDescription("When the operator last issued or renewed a certificate of this cluster (RFC 3339).")
    public String lastIssued;

    @JsonPropertyDescription("The request to renew every certificate now (annotation ballot.dev/rotate-certificates)"
            + " last carried out: that annotation's value.")
    public String rotationRequest;

    @JsonPropertyDescription("The step of the CA rotation in progress: Trusting (a new CA is trusted beside the current"
            + " one, signing nothing yet), Signing (the new CA signs, every certificate is issued again) or Dropping"
            + " (the old CA leaves every bundle; on demand only); absent without a rotation.")
    public String caRotation;

    @JsonPropertyDescription("Which member holds the CA rotation at its step, and why (it does not answer, or does not"
            + " trust or present the new CA yet).")
    public String caRotationWaitingFor;

    @JsonPropertyDescription("The request to replace the CA (annotation ballot.dev/rotate-ca) last carried out to its"
            + " end: that annotation's value.")
    public String caRotationRequest;
}
