package dev.ballot.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** The last backups as the operator took them. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class BackupStatus {
    @JsonPropertyDescription("When the last successful backup was taken (RFC 3339).")
    public String lastSuccessTime;

    @JsonPropertyDescription("Object key of the last successful backup (its manifest is beside it, .json).")
    public String lastObject;

    @JsonPropertyDescription("Size in bytes of the last successful backup.")
    public Long lastSize;

    @JsonPropertyDescription("Index (ZAB: zxid) of the last entry in the last successful backup.")
    public Long lastIndex;

    @JsonPropertyDescription("Term (ZAB: epoch) of that entry.")
    public Long lastTerm;

    @JsonPropertyDescription("How long the last successful backup took, in milliseconds.")
    public Long lastDurationMs;

    @JsonPropertyDescription("The schedule slot of the last scheduled backup started (RFC 3339).")
    public String lastScheduleTime;

    @JsonPropertyDescription("Why the last backup failed; cleared by the next success.")
    public String lastError;

    @JsonPropertyDescription("When the last backup failed (RFC 3339).")
    public String lastErrorTime;

    @JsonPropertyDescription("When the backup now running started (RFC 3339); unset when none runs.")
    public String runningSince;

    @JsonPropertyDescription("The on-demand request (ballot.dev/backup-now annotation value) last taken up.")
    public String lastRequest;
}
