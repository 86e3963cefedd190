package dev.ballot.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.ValidationRule;

/** TLS for the members' HTTP API and peer traffic, with certificates from a CA the operator keeps per cluster. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class TlsSpec {
    /** Whether an HTTP client must present a certificate in the TLS handshake. */
    public enum ClientAuth { Required, Optional }

    @Default("true")
    @ValidationRule(value = "self == oldSelf", message = "spec.tls.enabled is immutable: members with and without TLS"
            + " cannot talk to each other; keep the old value, or create a new cluster and move the data")
    @JsonPropertyDescription("Serve the HTTP API over TLS and authenticate peers with mutual TLS 1.3, with"
            + " certificates the operator issues from a CA it keeps for this cluster (Secret <name>-ca). Immutable.")
    public Boolean enabled;

    @Default("Optional")
    @JsonPropertyDescription("Optional (default): the HTTP API asks for a client certificate; without one only"
            + " /healthz, /readyz and /metrics answer (kubelet probes). Required: the TLS handshake fails without one;"
            + " the probes then only check that the port accepts connections.")
    public ClientAuth clientAuth;

    public TlsSpec() {
    }

    public TlsSpec(Boolean enabled, ClientAuth clientAuth) {
        this.enabled = enabled;
        this.clientAuth = clientAuth;
    }
}
