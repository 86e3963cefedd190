package dev.ballot.operator.reconciler;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.quarkus.arc.Unremovable;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.Optional;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Leader election of the operator itself (two replicas, one active), active in the prod profile. Lease name
 * $BALLOT_OPERATOR_LEADER_ELECTION_LEASE_NAME (default ballot-operator) in $BALLOT_OPERATOR_LEADER_ELECTION_LEASE_NAMESPACE,
 * else $POD_NAMESPACE (both set by deploy/ through the downward API), else the kubeconfig context's namespace, else
 * "default"; identity $POD_NAME, else $HOSTNAME, else a random name so a local process needs no environment.
 *
 * <p>A replica that loses the lease exits, as JOSDK's default does, but from a separate thread: JOSDK 5.2.1 calls
 * System.exit inside the SIGTERM shutdown hook when the leader stops, which deadlocks the JVM (it never exits).
 */
@Singleton
@Unremovable
public class OperatorLeaderElection extends LeaderElectionConfiguration {
    public static final String LEASE_NAME = "ballot-operator";
    private static final Logger LOG = Logger.getLogger(OperatorLeaderElection.class);

    @Inject
    public OperatorLeaderElection(KubernetesClient client) {
        super(env("BALLOT_OPERATOR_LEADER_ELECTION_LEASE_NAME").orElse(LEASE_NAME),
                env("BALLOT_OPERATOR_LEADER_ELECTION_LEASE_NAMESPACE").or(() -> env("POD_NAMESPACE"))
                        .or(() -> Optional.ofNullable(client.getNamespace())).orElse("default"),
                LEASE_DURATION_DEFAULT_VALUE, RENEW_DEADLINE_DEFAULT_VALUE, RETRY_PERIOD_DEFAULT_VALUE,
                env("POD_NAME").or(() -> env("HOSTNAME"))
                        .orElse("ballot-operator-" + UUID.randomUUID().toString().substring(0, 8)),
                new LeaderCallbacks(() -> { }, OperatorLeaderElection::exitAfterLosingTheLease, leader -> { }),
                false);
    }

    /** Exits on another thread: during a shutdown it just waits there, and the JVM finishes its own exit. */
    private static void exitAfterLosingTheLease() {
        Thread exit = new Thread(() -> {
            LOG.info("stopped leading: exiting so a fresh process can wait for the lease again");
            System.exit(1);
        }, "ballot-lease-lost-exit");
        exit.setDaemon(true);
        exit.start();
    }

    private static Optional<String> env(String name) {
        return Optional.ofNullable(System.getenv(name)).filter(v -> !v.isBlank());
    }
}
