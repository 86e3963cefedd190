package dev.ballot.operator.members;

import dev.ballot.nodeapi.NodeClient;
import dev.ballot.operator.api.ElectionCluster;
import dev.ballot.operator.desired.MemberEndpoint;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class MemberStatusEventSourceTest {
    private static final String TEMPLATE = "http://{host}:8080";

    private static ElectionCluster cluster(String name, String uid) {
        ElectionCluster c = new ElectionCluster();
        c.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace("ns").withUid(uid).build());
        return c;
    }

    @Test
    void aReconcileThatRacedTheDeletionCannotReopenTheDeletedClustersLinks() {
        MemberStatusEventSource source = new MemberStatusEventSource(new MemberStatusEventSource.MemberWatchSettings(
                TEMPLATE, Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(5)),
                NodeClient.create(Duration.ofSeconds(1), Duration.ofSeconds(1)));
        ElectionCluster doomed = cluster("raft-3", "uid-1");
        ResourceID id = ResourceID.fromResource(doomed);
        List<MemberEndpoint> members = List.of(new MemberEndpoint("raft-3-0", 1, true, "raft-3-0.raft-3-peers.ns"));
        source.track(id, "uid-1", members);
        assertThat(source.trackedClusters()).containsExactly(id);

        source.onResourceDeleted(doomed);
        source.track(id, "uid-1", members);

        assertThat(source.trackedClusters()).isEmpty();
        source.track(id, "uid-2", members); // a new cluster of the same name is a new object
        assertThat(source.trackedClusters()).containsExactly(id);
    }
}
