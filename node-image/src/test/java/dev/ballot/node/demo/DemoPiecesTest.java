package dev.ballot.node.demo;

import dev.ballot.node.config.ConfigLoader;
import dev.ballot.node.config.NodeConfig;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class DemoPiecesTest {
    @Test
    void nearestRankPercentiles() {
        List<Long> ten = List.of(300L, 100L, 200L, 400L, 500L, 600L, 700L, 800L, 900L, 1000L);
        assertThat(Percentiles.of(ten, 50)).isEqualTo(500);
        assertThat(Percentiles.of(ten, 99)).isEqualTo(1000);
        assertThat(Percentiles.of(List.of(7L), 99)).isEqualTo(7);
        assertThat(Percentiles.of(List.of(), 50)).isZero();
    }

    @Test
    void generatedRaftConfigIsValidAndGivesEachMemberItsOwnClientAddress() throws Exception {
        String text = LocalCluster.raftConfig("demo", 2, 3, "127.0.9.", 30000, Path.of("/tmp/x"), DemoTiming.SEED)
                .replace("CLIENT", "30001");
        NodeConfig cfg = ConfigLoader.parse("demo", text, Map.of());
        assertThat(cfg.nodeId()).isEqualTo(2);
        assertThat(cfg.nodeName()).isEqualTo("node-2");
        assertThat(cfg.members()).hasSize(3);
        assertThat(cfg.member(3).orElseThrow().clientAddress().toString()).isEqualTo("127.0.9.3:30001");
        assertThat(cfg.raft().electionTimeoutMax().toMillis()).isEqualTo(300);
    }

    @Test
    void generatedZabConfigIsValid() throws Exception {
        String text = LocalCluster.zabConfig("demo", 1, 3, "127.0.9.", 30000, 30002, Path.of("/tmp/x"), DemoTiming.SEED)
                .replace("CLIENT", "30001");
        NodeConfig cfg = ConfigLoader.parse("demo", text, Map.of());
        assertThat(cfg.nodeId()).isEqualTo(1);
        assertThat(cfg.electionListen().port()).isEqualTo(30002);
        assertThat(cfg.zab().syncLimit()).isEqualTo(4);
        assertThat(cfg.member(2).orElseThrow().clientAddress().toString()).isEqualTo("127.0.9.2:30001");
    }
}
