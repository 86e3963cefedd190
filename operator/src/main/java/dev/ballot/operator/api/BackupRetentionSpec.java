package dev.ballot.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;

/** Retention of backups: a count, an age, or both (a backup beyond either limit is deleted). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class BackupRetentionSpec {
    @Min(1)
    @JsonPropertyDescription("Keep at most this many of the newest backups.")
    public Integer keep;

    @Pattern("^([0-9]+(h|m|s))+$")
    @JsonPropertyDescription("Delete backups older than this Go duration, e.g. 168h (a week).")
    public String maxAge;
}
