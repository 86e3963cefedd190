package dev.ballot.backup;

/**
 * Where backups live in an S3-compatible store.
 *
 * @param bucket         the bucket (it must exist)
 * @param prefix         a key prefix, may be empty; backups go under {@code <prefix>/<namespace>/<cluster>/}
 * @param endpoint       the store's URL (e.g. {@code https://s3.eu-west-1.amazonaws.com}, {@code http://versitygw:7070});
 *                       null for AWS's own endpoint of the region
 * @param region         the region to sign for ({@code us-east-1} when null: most S3-compatible servers accept any)
 * @param forcePathStyle {@code http://endpoint/bucket/key} instead of {@code http://bucket.endpoint/key}; most
 *                       S3-compatible servers need it
 */
public record S3Location(String bucket, String prefix, String endpoint, String region, boolean forcePathStyle) {
    public static final String DEFAULT_REGION = "us-east-1";

    public S3Location {
        if (bucket == null || bucket.isBlank()) {
            throw new IllegalArgumentException("the bucket is missing: name the bucket that holds the backups");
        }
        prefix = prefix == null ? "" : prefix.replaceAll("^/+|/+$", "");
        region = region == null || region.isBlank() ? DEFAULT_REGION : region;
    }

    /** {@code s3://bucket/prefix} for messages. */
    public String describe() {
        return "s3://" + bucket + "/" + prefix + (endpoint == null ? "" : " at " + endpoint);
    }
}
