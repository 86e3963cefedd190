package dev.ballot.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** An S3-compatible location (AWS S3 or any server speaking its API) and the Secret with its access key. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class S3Spec {
    @Required
    @Size(min = 3, max = 63)
    @JsonPropertyDescription("Bucket that holds the backups; it must exist.")
    public String bucket;

    @Size(max = 512)
    @JsonPropertyDescription("Key prefix; backups go under <prefix>/<namespace>/<cluster>/.")
    public String prefix;

    @Size(max = 512)
    @Pattern("^https?://.+")
    @JsonPropertyDescription("URL of an S3-compatible server, e.g. http://versitygw.storage:7070; unset: AWS S3 of the"
            + " region.")
    public String endpoint;

    @Size(max = 64)
    @JsonPropertyDescription("Region to sign requests for (default us-east-1; most S3-compatible servers accept any).")
    public String region;

    @Default("false")
    @JsonPropertyDescription("Path-style URLs (http://endpoint/bucket/key); most S3-compatible servers need true.")
    public Boolean forcePathStyle;

    @Required
    @Size(min = 1, max = 253)
    @JsonPropertyDescription("Name of a Secret in the cluster's namespace with keys accessKeyId and secretAccessKey.")
    public String credentialsSecret;
}
