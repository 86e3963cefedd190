package dev.ballot.node.it;

import dev.ballot.node.cli.BallotNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code ballot-node run} refuses what it cannot run, with the documented exit codes and a message naming the fix. */
class RunCommandExitCodesTest {
    @TempDir
    Path dir;

    private record Outcome(int exit, String stderr) {
    }

    private Outcome run(String... args) {
        PrintStream saved = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int exit = new CommandLine(new BallotNode()).execute(args);
            return new Outcome(exit, err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(saved);
        }
    }

    @Test
    void aBadConfigExits2NamingTheKeyAndTheFix() throws Exception {
        Path cfg = Files.writeString(dir.resolve("ballot.yaml"), """
                raft:
                  cluster_id: "c"
                  node_id: "node-1"
                  listen_address: "127.0.0.1:2380"
                  peers: ["127.0.0.1:2380"]
                  election_timeout_min: "fast"
                """);
        Outcome o = run("run", "--config", cfg.toString());
        assertThat(o.exit()).isEqualTo(2);
        assertThat(o.stderr()).contains("election_timeout_min").contains("line 6");
    }

    @Test
    void aMissingConfigFileExits2() {
        Outcome o = run("run", "--config", dir.resolve("absent.yaml").toString());
        assertThat(o.exit()).isEqualTo(2);
        assertThat(o.stderr()).contains("absent.yaml");
    }

    private static int port() throws java.io.IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Test
    @org.junit.jupiter.api.Timeout(60) // if storage accepted the data, the node would run until killed
    void anotherClustersDataExits3() throws Exception {
        Path data = dir.resolve("data");
        String config = """
                raft:
                  cluster_id: "%s"
                  node_id: "node-1"
                  listen_address: "127.0.0.1:%d"
                  peers: ["127.0.0.1:%d"]
                  client_address: "127.0.0.1:%d"
                  data_dir: "%s"
                """;
        // Open the data directory once as cluster "one" (storage records its identity)...
        dev.ballot.node.storage.FileNodeStorage.open(data, "one", 1, n -> { }).close();
        // ...then point a node of cluster "two" at it.
        Path cfg = Files.writeString(dir.resolve("two.yaml"), config.formatted("two", port(), port(), port(), data));
        Outcome o = run("run", "--config", cfg.toString());
        assertThat(o.exit()).as(o.stderr()).isEqualTo(3);
    }
}
