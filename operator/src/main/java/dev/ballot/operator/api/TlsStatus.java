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
}
