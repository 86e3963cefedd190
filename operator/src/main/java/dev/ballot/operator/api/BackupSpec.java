package dev.ballot.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** Backups of the cluster's state to S3-compatible storage (docs/operator.md, Backups and restore). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class BackupSpec {
    @Size(max = 128)
    @JsonPropertyDescription("Cron schedule in UTC (five fields, as a CronJob's, or @hourly, @daily...), e.g."
            + " \"0 */6 * * *\". Unset: backups only on demand (annotation ballot.dev/backup-now).")
    public String schedule;

    @Required
    @JsonPropertyDescription("Where backups go.")
    public S3Spec s3;

    @JsonPropertyDescription("Which old backups the operator deletes after each successful backup; the newest is"
            + " never deleted. Unset: none.")
    public BackupRetentionSpec retention;
}
