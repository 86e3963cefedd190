package dev.ballot.node.cli;

import dev.ballot.node.config.NodeConfig;
import dev.ballot.node.process.ForceNewCluster;
import dev.ballot.node.process.NeedsReplacementProcess;
import dev.ballot.node.process.NodeProcess;
import dev.ballot.node.server.JoinGate;
import dev.ballot.node.storage.CorruptStorageException;
import picocli.CommandLine.Command;

import java.io.IOException;

/**
 * {@code ballot-node run --config FILE}: one cluster member until SIGTERM. Exit codes: 0 after a
 * clean stop, 2 for a bad configuration, 3 for storage that cannot be trusted, 1 otherwise.
 */
@Command(name = "run", mixinStandardHelpOptions = true, description = "Run one cluster member from a config file "
        + "(the seed's Raft YAML or a ZooKeeper-style file); BALLOT_* environment variables override any key.")
public final class RunCommand extends MemberCommand {
    @Override
    int run(NodeConfig cfg) throws Exception {
        try {
            // A quorum-loss recovery asked of this member (POST /v1/admin/force-new-cluster) runs before anything else.
            ForceNewCluster.applyIfAsked(cfg).ifPresent(o -> System.err.println("ballot-node run: " + o.message()));
        } catch (CorruptStorageException e) {
            return report(3, e.getMessage());
        } catch (IOException e) {
            return report(1, "quorum-loss recovery failed: " + e.getMessage());
        }
        JoinGate.Decision gate = JoinGate.check(cfg, System.getenv());
        if (gate.verdict() == JoinGate.Verdict.NEEDS_REPLACEMENT) {
            return NeedsReplacementProcess.serve(cfg, gate.reason());
        }
        NodeProcess node;
        try {
            node = NodeProcess.start(cfg);
        } catch (CorruptStorageException e) {
            return report(3, e.getMessage());
        } catch (IOException e) {
            return report(1, "cannot start: " + e.getMessage());
        }
        Thread hook = new Thread(() -> {
            node.shutdown();
            System.err.flush();
            // Everything is closed and synced: exit 0 rather than the JVM's 143 for "killed by SIGTERM".
            Runtime.getRuntime().halt(0);
        }, "ballot-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        node.awaitTermination();
        String failure = node.runtime().status().failure();
        if (failure != null) {
            node.close();
            return report(1, failure);
        }
        return 0;
    }
}
