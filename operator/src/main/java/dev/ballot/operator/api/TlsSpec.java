package dev.ballot.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * TLS for the members' HTTP API and peer traffic, with certificates from a CA the operator keeps per cluster, or from
 * Secrets the user provides in cert-manager's layout ({@link Certificates#Provided}).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class TlsSpec {
    /** Whether an HTTP client must present a certificate in the TLS handshake. */
    public enum ClientAuth { Required, Optional }

    /** Who issues the certificates: the operator's own CA, or the user (cert-manager). */
    public enum Certificates { Operator, Provided }

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

    @Default("Operator")
    @ValidationRule(value = "self == oldSelf", message = "spec.tls.certificates is immutable: members trusting one CA"
            + " refuse certificates from another; keep the old value, or create a new cluster and move the data")
    @JsonPropertyDescription("Operator (default): the operator keeps a CA (Secret <name>-ca) and issues and renews every"
            + " certificate. Provided: the user provides them in cert-manager's layout (tls.crt, tls.key, ca.crt), one"
            + " Secret per member, <name>-<ordinal>-member-tls, whose names include the member's stable DNS name"
            + " <name>-<ordinal>.<name>-peers.<namespace>.svc and <name>-client.<namespace>.svc, and the operator's"
            + " <name>-operator-tls with the URI SAN ballot://operator; the operator checks them, copies them for the"
            + " members, and reloads them when they are renewed. No spec.clients then. Immutable. See docs/operator.md.")
    public Certificates certificates;

    public TlsSpec() {
    }

    public TlsSpec(Boolean enabled, ClientAuth clientAuth) {
        this.enabled = enabled;
        this.clientAuth = clientAuth;
    }
}
