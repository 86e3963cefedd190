package dev.ballot.node.process;

import dev.ballot.node.config.NodeConfig;
import dev.ballot.node.http.NeedsReplacementApi;

import java.util.concurrent.CountDownLatch;

/**
 * What {@code run} starts instead of a {@link NodeProcess} when the join gate says this member must be replaced:
 * its status only, never the engine, until SIGTERM (a restart cannot fix it).
 */
public final class NeedsReplacementProcess {
    private NeedsReplacementProcess() {
    }

    /** Blocks until SIGTERM; the exit code. */
    public static int serve(NodeConfig cfg, String reason) throws Exception {
        System.err.println("ballot-node run: " + cfg.nodeName() + " NEEDS REPLACEMENT and will not vote: " + reason
                + ". Fix: " + NeedsReplacementApi.FIX);
        NeedsReplacementApi api = new NeedsReplacementApi(cfg, reason).start();
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            // bounded as a member's close steps are (NodeProcess.closeSteps): SIGTERM ends it in seconds
            new ShutdownSteps(cfg.nodeName(), System.err, NodeProcess.SHUTDOWN_DUMP_AFTER)
                    .run(java.util.List.of(new ShutdownSteps.Step("http", java.time.Duration.ofSeconds(2), api::close)));
            stop.countDown();
            Runtime.getRuntime().halt(0);
        }, "ballot-shutdown"));
        stop.await();
        return 0;
    }
}
