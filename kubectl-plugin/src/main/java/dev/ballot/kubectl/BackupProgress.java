package dev.ballot.kubectl;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;

/**
 * Where one {@code ballot.dev/backup-now} request stands in status.backup (docs/operator.md, Backups): taken up once
 * {@code lastRequest} is the request's value (the operator sets it with {@code runningSince} when the backup starts),
 * finished once {@code runningSince} is gone again. Then a new {@code lastErrorTime} that is not the success's own
 * time (a retention failure is stamped with it: the backup stands) means it failed; a new {@code lastSuccessTime}
 * means it is done. "New" is against status.backup as it was before the request; when the request had been taken up
 * already (the same --request-id again), the last backup's outcome is its answer. Pure.
 */
public final class BackupProgress implements Progress {
    private final String requestId;
    private final String successBefore;
    private final String errorBefore;
    private String lastLine;

    /** @param before the cluster as read before the request was made */
    public BackupProgress(String requestId, JsonNode before) {
        this.requestId = requestId;
        JsonNode b = before.path("status").path("backup");
        boolean askedAgain = requestId.equals(StatusScreen.text(b, "lastRequest"));
        this.successBefore = askedAgain ? null : StatusScreen.text(b, "lastSuccessTime");
        this.errorBefore = askedAgain ? null : StatusScreen.text(b, "lastErrorTime");
    }

    @Override
    public JsonNode entry(JsonNode cluster) {
        JsonNode b = cluster.path("status").path("backup");
        return b.isMissingNode() || b.isNull() ? null : b;
    }

    private boolean takenUp(JsonNode b) {
        return requestId.equals(StatusScreen.text(b, "lastRequest"));
    }

    @Override
    public ExitCode outcome(JsonNode cluster) {
        JsonNode b = cluster.path("status").path("backup");
        if (!takenUp(b) || StatusScreen.text(b, "runningSince") != null) {
            return null;
        }
        String success = StatusScreen.text(b, "lastSuccessTime");
        String error = StatusScreen.text(b, "lastErrorTime");
        if (error != null && !error.equals(errorBefore) && !error.equals(success)) {
            return ExitCode.FAILED;
        }
        return success != null && !success.equals(successBefore) ? ExitCode.OK : null;
    }

    @Override
    public String update(JsonNode cluster) {
        JsonNode b = cluster.path("status").path("backup");
        ExitCode done = outcome(cluster);
        String line;
        if (!takenUp(b)) {
            line = "waiting for the operator to take up request " + requestId
                    + (StatusScreen.text(b, "runningSince") != null ? " (a backup started at "
                    + StatusScreen.text(b, "runningSince") + " runs first)" : "");
        } else if (done == ExitCode.FAILED) {
            line = "Failed: " + StatusScreen.text(b, "lastError");
        } else if (done == ExitCode.OK) {
            String retention = StatusScreen.text(b, "lastError");
            line = "Done: " + StatusScreen.text(b, "lastObject") + " (" + StatusScreen.text(b, "lastSize")
                    + " bytes, index " + StatusScreen.text(b, "lastIndex") + ", term " + StatusScreen.text(b, "lastTerm")
                    + ", " + StatusScreen.text(b, "lastDurationMs") + " ms)"
                    + (retention == null ? "" : "; retention: " + retention);
        } else {
            line = "Running: backup" + (StatusScreen.text(b, "runningSince") == null ? ""
                    : " since " + StatusScreen.text(b, "runningSince"));
        }
        if (Objects.equals(line, lastLine)) {
            return null;
        }
        lastLine = line;
        return line;
    }
}
