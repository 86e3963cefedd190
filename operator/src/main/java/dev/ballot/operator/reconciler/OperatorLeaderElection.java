package dev.ballot.operator.reconciler;

import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.quarkus.arc.Unremovable;
import jakarta.inject.Singleton;
import java.util.Optional;
import java.util.UUID;

/**
 * Leader election of the operator itself (two replicas, one active), active in the prod profile. Lease name
 * $BALLOT_OPERATOR_LEADER_ELECTION_LEASE_NAME (default ballot-operator) in $BALLOT_OPERATOR_LEADER_ELECTION_LEASE_NAMESPACE,
 * else $POD_NAMESPACE (both set by deploy/ through the downward API), else the client's namespace; identity
 * $POD_NAME, else $HOSTNAME, else a random name so a local process needs no environment.
 */
@Singleton
@Unremovable
public class OperatorLeaderElection extends LeaderElectionConfiguration {
    public static final String LEASE_NAME = "ballot-operator";

    public OperatorLeaderElection() {
        super(env("BALLOT_OPERATOR_LEADER_ELECTION_LEASE_NAME").orElse(LEASE_NAME),
                env("BALLOT_OPERATOR_LEADER_ELECTION_LEASE_NAMESPACE").or(() -> env("POD_NAMESPACE")).orElse(null),
                env("POD_NAME").or(() -> env("HOSTNAME"))
                        .orElse("ballot-operator-" + UUID.randomUUID().toString().substring(0, 8)));
    }

    private static Optional<String> env(String name) {
        return Optional.ofNullable(System.getenv(name)).filter(v -> !v.isBlank());
    }
}
