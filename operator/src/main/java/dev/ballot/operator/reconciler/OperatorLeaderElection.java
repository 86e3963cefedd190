package dev.ballot.operator.reconciler;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfig;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElector;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.quarkus.arc.Unremovable;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/**
 * Leader election of the operator itself (two replicas, one active), active in the prod profile. Lease name
 * $BALLOT_OPERATOR_LEADER_ELECTION_LEASE_NAME (default ballot-operator) in $BALLOT_OPERATOR_LEADER_ELECTION_LEASE_NAMESPACE,
 * else $POD_NAMESPACE (both set by deploy/ through the downward API), else the kubeconfig context's namespace, else
 * "default"; identity $POD_NAME, else $HOSTNAME, else a random name so a local process needs no environment.
 *
 * <p>On shutdown (SIGTERM) the leader releases the Lease, so the standby takes over within its retry period (2 s)
 * instead of waiting for the Lease to expire (15 s). JOSDK 5.2.1 builds fabric8's elector with releaseOnCancel off and
 * offers no setting (nor does QOSDK 7.4.0), so the stop callback does it: JOSDK stops leader election only after its
 * controllers stopped and their in-flight reconciles ended, so the standby never reconciles next to this process.
 *
 * <p>A replica that loses the lease exits, as JOSDK's default does, but from a separate thread: JOSDK 5.2.1 calls
 * System.exit inside the SIGTERM shutdown hook when the leader stops, which deadlocks the JVM (it never exits). It
 * does not release: its controllers may still be running.
 */
@Singleton
@Unremovable
public class OperatorLeaderElection extends LeaderElectionConfiguration {
    public static final String LEASE_NAME = "ballot-operator";
    private static final Logger LOG = Logger.getLogger(OperatorLeaderElection.class);
    /** Set by the first ShutdownEvent observer, before QOSDK stops the operator. */
    private static final AtomicBoolean SHUTTING_DOWN = new AtomicBoolean();

    @Inject
    public OperatorLeaderElection(KubernetesClient client) {
        this(client, env("BALLOT_OPERATOR_LEADER_ELECTION_LEASE_NAME").orElse(LEASE_NAME),
                env("BALLOT_OPERATOR_LEADER_ELECTION_LEASE_NAMESPACE").or(() -> env("POD_NAMESPACE"))
                        .or(() -> Optional.ofNullable(client.getNamespace())).orElse("default"),
                env("POD_NAME").or(() -> env("HOSTNAME"))
                        .orElse("ballot-operator-" + UUID.randomUUID().toString().substring(0, 8)));
    }

    private OperatorLeaderElection(KubernetesClient client, String name, String namespace, String identity) {
        super(name, namespace, LEASE_DURATION_DEFAULT_VALUE, RENEW_DEADLINE_DEFAULT_VALUE, RETRY_PERIOD_DEFAULT_VALUE,
                identity, new LeaderCallbacks(() -> { }, () -> stoppedLeading(client, namespace, name, identity),
                        leader -> { }), false);
    }

    /** Runs before QOSDK's own ShutdownEvent observer (default priority) stops the operator. */
    void onShutdown(@Observes @Priority(1) ShutdownEvent event) {
        SHUTTING_DOWN.set(true);
    }

    private static void stoppedLeading(KubernetesClient client, String namespace, String name, String identity) {
        if (SHUTTING_DOWN.get()) {
            release(client, namespace, name, identity);
        }
        exitAfterLosingTheLease();
    }

    /** What fabric8's releaseOnCancel does: if this process still holds the Lease, empty it with a 1 s duration. */
    static boolean release(KubernetesClient client, String namespace, String name, String identity) {
        LeaderElectionConfig config = new LeaderElectionConfigBuilder().withName(name)
                .withLock(new LeaseLock(namespace, name, identity)).withLeaseDuration(LEASE_DURATION_DEFAULT_VALUE)
                .withRenewDeadline(RENEW_DEADLINE_DEFAULT_VALUE).withRetryPeriod(RETRY_PERIOD_DEFAULT_VALUE)
                .withReleaseOnCancel(true).withLeaderCallbacks(new LeaderCallbacks(() -> { }, () -> { }, l -> { }))
                .build();
        try {
            boolean released = new LeaderElector(client, config, Runnable::run).release();
            LOG.infof(released ? "released the Lease %s/%s on shutdown"
                    : "did not hold the Lease %s/%s on shutdown", namespace, name);
            return released;
        } catch (RuntimeException e) {
            LOG.warnf(e, "could not release the Lease %s/%s on shutdown: the standby waits for it to expire",
                    namespace, name);
            return false;
        }
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
