package dev.ballot.kubectl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine;

/**
 * An action subcommand: sets {@code ballot.dev/<action>} and a fresh {@code ballot.dev/<action>-id}, then reads the
 * cluster twice a second, printing each change of what status.actions says, until the request is Done, Refused or
 * Failed, or --timeout passes. Each action names its annotation, its target and its default --timeout (a restart
 * waits for a pod to come back); the CLUSTER parameter, the options and the waiting are the same for all. An action
 * acknowledged elsewhere than status.actions (backup) overrides {@link #annotations}, {@link #progress} and
 * {@link #refusal}.
 */
abstract class ActionCommand implements Callable<Integer> {
    static final Duration POLL = Duration.ofMillis(500);

    private final String action;

    @CommandLine.Parameters(index = "0", paramLabel = "CLUSTER", description = "ElectionCluster name")
    String cluster;

    /** Its initial value, set by the subcommand, is the default picocli shows and falls back to. */
    @CommandLine.Option(names = "--timeout", description = "How long to wait (default ${DEFAULT-VALUE}).")
    String timeout;

    @CommandLine.ParentCommand
    KubectlBallot root;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Option(names = "--request-id", description = "The request id (default: a fresh one). The same id"
            + " is never carried out twice, so repeating a command with its id only waits for the answer.")
    String requestId;

    ActionCommand(String action, String defaultTimeout) {
        this.action = action;
        this.timeout = defaultTimeout;
    }

    /** The action's target: the member it names, or "any". */
    abstract String target();

    /** The annotations that ask for it. */
    java.util.Map<String, String> annotations(String id) {
        return java.util.Map.of("ballot.dev/" + action, target(), "ballot.dev/" + action + "-id", id);
    }

    /** What follows the answer, given the cluster as read before the request. */
    Progress progress(String id, JsonNode before) {
        return new ActionProgress(action, id);
    }

    /** Why the request cannot be made on this cluster (the operator would never answer it), or null. */
    String refusal(JsonNode cluster) {
        return null;
    }

    @Override
    public Integer call() {
        return act(target(), timeout);
    }

    private int act(String target, String timeoutText) {
        Duration limit = KubectlBallot.duration(timeoutText);
        boolean json = root.output == KubectlBallot.Output.json;
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter progressOut = json ? spec.commandLine().getErr() : out;
        String id = requestId != null ? requestId : "kb-" + UUID.randomUUID().toString().substring(0, 8);
        try (ClusterAccess k = new ClusterAccess(root.context, root.namespace)) {
            JsonNode before = k.get(cluster);
            if (before == null) {
                spec.commandLine().getErr().println("error: no ElectionCluster " + cluster + " in namespace "
                        + k.namespace());
                return ExitCode.ERROR.code;
            }
            String refusal = refusal(before);
            if (refusal != null) {
                spec.commandLine().getErr().println("error: " + refusal);
                return ExitCode.ERROR.code;
            }
            k.request(cluster, annotations(id));
            progressOut.println(action + (target.isEmpty() ? "" : " " + target) + " on " + k.namespace() + "/" + cluster + " (request " + id
                    + ")");
            progressOut.flush();
            Progress progress = progress(id, before);
            long deadline = System.nanoTime() + limit.toNanos();
            JsonNode ec = null;
            ExitCode result = null;
            while (result == null && System.nanoTime() < deadline) {
                ec = k.get(cluster);
                if (ec == null) {
                    spec.commandLine().getErr().println("error: ElectionCluster " + cluster + " was deleted");
                    return ExitCode.ERROR.code;
                }
                String line = progress.update(ec);
                if (line != null) {
                    progressOut.println("  " + line);
                    progressOut.flush();
                }
                result = progress.outcome(ec);
                if (result == null) {
                    sleep();
                }
            }
            if (result == null) {
                result = ExitCode.TIMEOUT;
                progressOut.println("  no final answer within " + timeoutText + " (request " + id + "); see kubectl"
                        + " ballot status " + cluster);
            }
            if (json) {
                ObjectNode view = ClusterAccess.JSON.createObjectNode();
                view.put("cluster", cluster);
                view.put("namespace", k.namespace());
                view.put("action", action);
                view.put("requestId", id);
                view.put("exitCode", result.code);
                JsonNode entry = ec == null ? null : progress.entry(ec);
                if (entry != null) {
                    view.set("status", entry);
                }
                out.println(view.toPrettyString());
            }
            out.flush();
            return result.code;
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(POLL.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the operator");
        }
    }
}
