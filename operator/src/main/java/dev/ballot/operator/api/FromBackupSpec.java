package dev.ballot.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** The backup a new cluster starts from. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class FromBackupSpec {
    @Required
    @JsonPropertyDescription("Where the backups are (the source cluster's spec.backup.s3).")
    public S3Spec s3;

    @Required
    @Size(min = 1, max = 253)
    @JsonPropertyDescription("Name of the cluster the backup was taken from.")
    public String cluster;

    @Size(max = 63)
    @JsonPropertyDescription("Namespace of the cluster the backup was taken from; default: this cluster's.")
    public String namespace;

    @Default("latest")
    @Size(min = 1, max = 1024)
    @JsonPropertyDescription("The backup's object key (status.backup.lastObject of the source), or latest.")
    public String object;
}
