package dev.ballot.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.time.ZonedDateTime;
import org.junit.jupiter.api.Test;

/**
 * The leader's Lease release on shutdown, against a CRUD API server mock: a held Lease is emptied (the standby takes it
 * on its next retry instead of after expiry), someone else's is left alone.
 */
@EnableKubernetesMockClient(crud = true)
class LeaseReleaseTest {
    KubernetesClient client;

    @Test
    void theHolderEmptiesItsLease() {
        client.resource(lease("op-a")).create();
        assertThat(OperatorLeaderElection.release(client, "ballot-system", "ballot-operator", "op-a")).isTrue();
        Lease after = client.leases().inNamespace("ballot-system").withName("ballot-operator").get();
        assertThat(after.getSpec().getHolderIdentity()).isNullOrEmpty();
        assertThat(after.getSpec().getLeaseDurationSeconds()).isEqualTo(1);
        assertThat(after.getSpec().getLeaseTransitions()).isEqualTo(3);
    }

    @Test
    void aReplicaThatDoesNotHoldTheLeaseLeavesItAlone() {
        client.resource(lease("op-b")).create();
        assertThat(OperatorLeaderElection.release(client, "ballot-system", "ballot-operator", "op-a")).isFalse();
        Lease after = client.leases().inNamespace("ballot-system").withName("ballot-operator").get();
        assertThat(after.getSpec().getHolderIdentity()).isEqualTo("op-b");
        assertThat(after.getSpec().getLeaseDurationSeconds()).isEqualTo(15);
    }

    @Test
    void noLeaseIsNothingToRelease() {
        assertThat(OperatorLeaderElection.release(client, "ballot-system", "ballot-operator", "op-a")).isFalse();
    }

    private static Lease lease(String holder) {
        ZonedDateTime now = ZonedDateTime.now();
        return new LeaseBuilder().withNewMetadata().withName("ballot-operator").withNamespace("ballot-system")
                .endMetadata().withNewSpec().withHolderIdentity(holder).withLeaseDurationSeconds(15)
                .withAcquireTime(now).withRenewTime(now).withLeaseTransitions(3).endSpec().build();
    }
}
