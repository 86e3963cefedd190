package dev.ballot.kubectl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code kubectl ballot}: the status of an ElectionCluster on one screen, and the one-off actions the operator offers
 * (docs/kubectl-plugin.md). An action sets its annotation with a fresh request id and waits for status.actions to
 * say Done, Refused or Failed; the exit code says which ({@link ExitCode}).
 */
@Command(name = "kubectl ballot", mixinStandardHelpOptions = true, version = "kubectl-ballot 0.1.0",
        description = "Status and one-off actions of Ballot ElectionClusters.",
        subcommands = {KubectlBallot.Status.class, KubectlBallot.TransferLeadership.class,
                KubectlBallot.Restart.class, KubectlBallot.Replace.class, KubectlBallot.Backup.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:done (status printed, or the action Done)",
                "1:error (no such cluster, no spec.backup for backup, API server unreachable or refusing)",
                "2:the operator refused the action (nothing was done)",
                "3:the action failed after it started",
                "4:no final answer within --timeout",
                "64:bad command line"})
public final class KubectlBallot {
    @Option(names = {"-n", "--namespace"}, description = "Namespace (default: the kubeconfig context's).",
            scope = CommandLine.ScopeType.INHERIT)
    String namespace;

    @Option(names = "--context", description = "kubeconfig context (default: the current one).",
            scope = CommandLine.ScopeType.INHERIT)
    String context;

    @Option(names = {"-o", "--output"}, description = "text or json (default text).", defaultValue = "text",
            scope = CommandLine.ScopeType.INHERIT)
    Output output;

    enum Output { text, json }

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cli = new CommandLine(new KubectlBallot());
        cli.setOut(out);
        cli.setErr(err);
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        cli.setExitCodeExceptionMapper(e -> ExitCode.ERROR.code);
        cli.setParameterExceptionHandler((e, a) -> {
            err.println(e.getMessage());
            e.getCommandLine().usage(err);
            return ExitCode.USAGE.code;
        });
        cli.setExecutionExceptionHandler((e, command, parsed) -> {
            KubectlBallot root = parsed.commandSpec().root().userObject() instanceof KubectlBallot b ? b : null;
            err.println("error: " + (e instanceof KubernetesClientException k
                    ? ApiServerError.describe(k, root == null ? null : root.context) : e.getMessage()));
            return ExitCode.ERROR.code;
        });
        if (args.length == 0) {
            cli.usage(out);
            return ExitCode.USAGE.code;
        }
        return cli.execute(args);
    }

    @Command(name = "status", description = "Members, roles, lag, leader and term, quorum, rollout step, conditions"
            + " and actions of one cluster.")
    static final class Status implements Callable<Integer> {
        @CommandLine.ParentCommand
        KubectlBallot root;

        @Parameters(paramLabel = "CLUSTER", description = "ElectionCluster name")
        String cluster;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            try (ClusterAccess k = new ClusterAccess(root.context, root.namespace)) {
                JsonNode ec = k.get(cluster);
                PrintWriter out = spec.commandLine().getOut();
                if (ec == null) {
                    spec.commandLine().getErr().println("error: no ElectionCluster " + cluster + " in namespace "
                            + k.namespace());
                    return ExitCode.ERROR.code;
                }
                if (root.output == Output.json) {
                    ObjectNode view = ClusterAccess.JSON.createObjectNode();
                    view.put("name", cluster);
                    view.put("namespace", k.namespace());
                    view.set("spec", ec.path("spec"));
                    view.set("status", ec.path("status"));
                    out.println(view.toPrettyString());
                } else {
                    out.print(StatusScreen.render(ec, Instant.now()));
                }
                out.flush();
                return ExitCode.OK.code;
            }
        }
    }

    @Command(name = "transfer-leadership", description = "Move leadership to a healthy, caught-up voter (named, or"
            + " the most caught-up one) and wait until it leads.")
    static final class TransferLeadership extends ActionCommand {
        @Option(names = "--to", defaultValue = "any", description = "The member to lead, or any (default).")
        String to;

        TransferLeadership() {
            super("transfer-leadership", "60s");
        }

        @Override
        String target() {
            return to;
        }
    }

    @Command(name = "restart", description = "Restart one member (its pod is recreated; a leader hands over first),"
            + " only while every other voter is healthy and caught up; wait until it is back.")
    static final class Restart extends MemberAction {
        Restart() {
            super("restart-member", "6m");
        }
    }

    @Command(name = "replace", description = "Rebuild one voter from nothing (its claim and pod are deleted; the"
            + " operator removes it, adds it back as a learner/observer, lets it catch up from the leader and promotes"
            + " it), only while every other voter is healthy and caught up; wait until it votes again.")
    static final class Replace extends MemberAction {
        Replace() {
            super("replace-member", "12m");
        }
    }

    /** An action on one member, named by the MEMBER parameter after CLUSTER (restart, replace). */
    abstract static class MemberAction extends ActionCommand {
        @Parameters(index = "1", paramLabel = "MEMBER", description = "The member (pod) to act on")
        String member;

        MemberAction(String action, String defaultTimeout) {
            super(action, defaultTimeout);
        }

        @Override
        String target() {
            return member;
        }
    }

    @Command(name = "backup", description = "Take a backup now (ballot.dev/backup-now; needs spec.backup) and wait"
            + " until status.backup shows it succeeded or failed.")
    static final class Backup extends ActionCommand {
        Backup() {
            super("backup-now", "10m");
        }

        @Override
        String target() {
            return "";
        }

        /** The annotation's value is the request: status.backup.lastRequest echoes it (no -id annotation). */
        @Override
        java.util.Map<String, String> annotations(String id) {
            return java.util.Map.of("ballot.dev/backup-now", id);
        }

        @Override
        Progress progress(String id, JsonNode before) {
            return new BackupProgress(id, before);
        }

        @Override
        String refusal(JsonNode cluster) {
            JsonNode backup = cluster.path("spec").path("backup");
            return backup.isMissingNode() || backup.isNull() ? "ElectionCluster " + cluster.path("metadata")
                    .path("name").asText() + " has no spec.backup, so the operator takes no backup of it: add"
                    + " spec.backup (docs/operator.md, Backups)" : null;
        }
    }

    /** "90s", "5m", "1h", or an ISO-8601 duration. */
    static Duration duration(String text) {
        String t = text.trim().toLowerCase();
        try {
            if (t.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
            }
            long n = Long.parseLong(t.substring(0, t.length() - 1));
            return switch (t.charAt(t.length() - 1)) {
                case 's' -> Duration.ofSeconds(n);
                case 'm' -> Duration.ofMinutes(n);
                case 'h' -> Duration.ofHours(n);
                default -> Duration.parse(text);
            };
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("--timeout " + text + " is not a duration: use e.g. 90s, 5m or 1h");
        }
    }
}
