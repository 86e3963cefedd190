package dev.ballot.kubectl;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;

/**
 * Where one requested action stands in an ElectionCluster's status.actions, and the line to print when that
 * changed. Pure: the waiting loop ({@link ActionCommand}) feeds it each read of the cluster.
 */
public final class ActionProgress implements Progress {
    private final String action;
    private final String requestId;
    private String lastLine;

    public ActionProgress(String action, String requestId) {
        this.action = action;
        this.requestId = requestId;
    }

    /** The status.actions entry for this request, or null while the operator has not acknowledged it. */
    @Override
    public JsonNode entry(JsonNode cluster) {
        for (JsonNode a : cluster.path("status").path("actions")) {
            if (action.equals(StatusScreen.text(a, "name")) && requestId.equals(StatusScreen.text(a, "requestId"))) {
                return a;
            }
        }
        return null;
    }

    @Override
    public String update(JsonNode cluster) {
        JsonNode a = entry(cluster);
        String line = a == null ? "waiting for the operator to acknowledge request " + requestId
                : StatusScreen.text(a, "phase") + " (" + StatusScreen.text(a, "reason") + "): "
                + StatusScreen.text(a, "message");
        if (Objects.equals(line, lastLine)) {
            return null;
        }
        lastLine = line;
        return line;
    }

    /** The exit code once the action finished, or null while it has not. */
    @Override
    public ExitCode outcome(JsonNode cluster) {
        JsonNode a = entry(cluster);
        return a == null ? null : ExitCode.ofPhase(StatusScreen.text(a, "phase"));
    }
}
