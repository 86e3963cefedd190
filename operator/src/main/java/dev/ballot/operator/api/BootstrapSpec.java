package dev.ballot.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** How a new cluster starts: empty (default) or from a backup. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class BootstrapSpec {
    @JsonPropertyDescription("Start every voter from this backup: each member's init container (ballot-node restore)"
            + " reads it, checks its SHA-256 and writes it as the member's state at the backup's index.")
    public FromBackupSpec fromBackup;
}
