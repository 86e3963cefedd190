package dev.ballot.backup;

/** A static access key pair (from the credentials Secret's {@code accessKeyId} and {@code secretAccessKey}). */
public record S3Credentials(String accessKeyId, String secretAccessKey) {
    public static final String ACCESS_KEY_ID = "accessKeyId";
    public static final String SECRET_ACCESS_KEY = "secretAccessKey";

    @Override
    public String toString() {
        return "S3Credentials[accessKeyId=" + accessKeyId + ", secretAccessKey=<hidden>]";
    }
}
