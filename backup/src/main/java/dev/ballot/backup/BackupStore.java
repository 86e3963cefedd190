package dev.ballot.backup;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.Delete;
import software.amazon.awssdk.services.s3.model.DeleteObjectsRequest;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The S3 edge (AWS SDK for Java v2 on the JDK's HttpURLConnection): put, list, get and delete backup objects. Every
 * failure becomes an {@link IOException} that names the location and what was being done.
 */
public final class BackupStore implements AutoCloseable {
    private final S3Client s3;
    private final S3Location location;

    private BackupStore(S3Client s3, S3Location location) {
        this.s3 = s3;
        this.location = location;
    }

    public static BackupStore open(S3Location location, S3Credentials credentials) {
        var b = S3Client.builder()
                .httpClient(UrlConnectionHttpClient.builder()
                        .connectionTimeout(Duration.ofSeconds(10))
                        .socketTimeout(Duration.ofSeconds(60))
                        .build())
                .region(Region.of(location.region()))
                .forcePathStyle(location.forcePathStyle())
                // Checksums only where S3 requires them: S3-compatible servers do not all take the SDK's
                // default trailing CRC32 (aws-chunked uploads); the backup carries its own SHA-256 anyway.
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(credentials.accessKeyId(), credentials.secretAccessKey())));
        if (location.endpoint() != null && !location.endpoint().isBlank()) {
            b.endpointOverride(URI.create(location.endpoint()));
        }
        return new BackupStore(b.build(), location);
    }

    public S3Location location() {
        return location;
    }

    /** Streams {@code length} bytes of {@code body} to {@code key}. */
    public void put(String key, InputStream body, long length, String contentType) throws IOException {
        try {
            s3.putObject(PutObjectRequest.builder().bucket(location.bucket()).key(key).contentType(contentType)
                    .contentLength(length).build(), RequestBody.fromInputStream(body, length));
        } catch (SdkException e) {
            throw failed("upload " + key, e);
        }
    }

    public void put(String key, byte[] body, String contentType) throws IOException {
        try {
            s3.putObject(PutObjectRequest.builder().bucket(location.bucket()).key(key).contentType(contentType).build(),
                    RequestBody.fromBytes(body));
        } catch (SdkException e) {
            throw failed("upload " + key, e);
        }
    }

    public byte[] get(String key) throws IOException {
        try {
            ResponseBytes<GetObjectResponse> r = s3.getObjectAsBytes(GetObjectRequest.builder().bucket(location.bucket())
                    .key(key).build());
            return r.asByteArray();
        } catch (SdkException e) {
            throw failed("download " + key, e);
        }
    }

    /** The backups (snapshot objects of {@link BackupKeys}' layout) under {@code clusterPrefix}, oldest first. */
    public List<BackupKeys.Parsed> list(String clusterPrefix) throws IOException {
        List<BackupKeys.Parsed> out = new ArrayList<>();
        try {
            for (S3Object o : s3.listObjectsV2Paginator(ListObjectsV2Request.builder().bucket(location.bucket())
                    .prefix(clusterPrefix).build()).contents()) {
                BackupKeys.parse(o.key()).ifPresent(out::add);
            }
        } catch (SdkException e) {
            throw failed("list " + clusterPrefix, e);
        }
        out.sort(Comparator.comparing(BackupKeys.Parsed::takenAt).thenComparing(BackupKeys.Parsed::index));
        return out;
    }

    public Optional<BackupKeys.Parsed> latest(String clusterPrefix) throws IOException {
        List<BackupKeys.Parsed> all = list(clusterPrefix);
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
    }

    /** Deletes each key (absent ones are no error). */
    public void delete(List<String> keys) throws IOException {
        if (keys.isEmpty()) {
            return;
        }
        List<ObjectIdentifier> ids = keys.stream().map(k -> ObjectIdentifier.builder().key(k).build()).toList();
        try {
            var r = s3.deleteObjects(DeleteObjectsRequest.builder().bucket(location.bucket())
                    .delete(Delete.builder().objects(ids).quiet(true).build()).build());
            if (r.hasErrors() && !r.errors().isEmpty()) {
                throw new IOException("could not delete " + r.errors().size() + " of " + keys.size() + " objects in "
                        + location.describe() + ": " + r.errors().get(0).key() + ": " + r.errors().get(0).message());
            }
        } catch (SdkException e) {
            throw failed("delete " + keys.size() + " objects", e);
        }
    }

    private IOException failed(String what, SdkException e) {
        return new IOException("cannot " + what + " in " + location.describe() + ": " + e.getMessage(), e);
    }

    @Override
    public void close() {
        s3.close();
    }
}
