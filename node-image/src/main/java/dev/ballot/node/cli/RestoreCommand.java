package dev.ballot.node.cli;

import dev.ballot.backup.S3Credentials;
import dev.ballot.backup.S3Location;
import dev.ballot.node.config.NodeConfig;
import dev.ballot.node.process.BackupRestore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ballot-node restore --config FILE}: writes this member's initial state from a backup in S3-compatible
 * storage, then exits; {@code run} with the same config then starts from it. Every option also reads a
 * {@code BALLOT_RESTORE_*} variable (the operator's init container sets them); credentials come from
 * {@code AWS_ACCESS_KEY_ID} and {@code AWS_SECRET_ACCESS_KEY}. Exit codes: 0 restored or nothing to do (said why),
 * 2 bad configuration or options, 1 the backup could not be read or verified.
 */
@Command(name = "restore", mixinStandardHelpOptions = true, description = "Write this member's initial state from a "
        + "backup (S3-compatible storage) before its first start; nothing is done if its data directory holds state.")
public final class RestoreCommand extends MemberCommand {
    @Option(names = "--bucket", defaultValue = "${env:BALLOT_RESTORE_BUCKET}", description = "bucket holding the backups")
    String bucket;

    @Option(names = "--prefix", defaultValue = "${env:BALLOT_RESTORE_PREFIX}", description = "key prefix of the backups")
    String prefix;

    @Option(names = "--endpoint", defaultValue = "${env:BALLOT_RESTORE_ENDPOINT}",
            description = "S3 endpoint URL (empty: AWS's for the region)")
    String endpoint;

    @Option(names = "--region", defaultValue = "${env:BALLOT_RESTORE_REGION}", description = "region (default us-east-1)")
    String region;

    @Option(names = "--force-path-style", defaultValue = "${env:BALLOT_RESTORE_FORCE_PATH_STYLE:-true}",
            description = "path-style URLs (most S3-compatible servers need it)")
    boolean forcePathStyle;

    @Option(names = "--source-namespace", defaultValue = "${env:BALLOT_RESTORE_SOURCE_NAMESPACE}",
            description = "namespace of the cluster the backup was taken from")
    String sourceNamespace;

    @Option(names = "--source-cluster", defaultValue = "${env:BALLOT_RESTORE_SOURCE_CLUSTER}",
            description = "name of the cluster the backup was taken from")
    String sourceCluster;

    @Option(names = "--object", defaultValue = "${env:BALLOT_RESTORE_OBJECT:-latest}",
            description = "the backup's object key, or latest (default)")
    String object;

    @Override
    int run(NodeConfig cfg) throws Exception {
        String missing = bucket == null || bucket.isBlank() ? "--bucket (BALLOT_RESTORE_BUCKET)"
                : sourceNamespace == null || sourceNamespace.isBlank() ? "--source-namespace (BALLOT_RESTORE_SOURCE_NAMESPACE)"
                : sourceCluster == null || sourceCluster.isBlank() ? "--source-cluster (BALLOT_RESTORE_SOURCE_CLUSTER)"
                : blank(System.getenv("AWS_ACCESS_KEY_ID")) || blank(System.getenv("AWS_SECRET_ACCESS_KEY"))
                ? "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (the credentials Secret's accessKeyId, secretAccessKey)" : null;
        if (missing != null) {
            return report(BAD_CONFIG, missing + " is not set; it names where the backup is");
        }
        BackupRestore.Source source = new BackupRestore.Source(
                new S3Location(bucket, prefix, blank(endpoint) ? null : endpoint, region, forcePathStyle),
                new S3Credentials(System.getenv("AWS_ACCESS_KEY_ID"), System.getenv("AWS_SECRET_ACCESS_KEY")),
                sourceNamespace, sourceCluster, object);
        long t0 = System.nanoTime();
        try {
            BackupRestore.Outcome outcome = BackupRestore.restore(cfg, System.getenv(), source);
            return report(0, outcome.message() + " (" + (System.nanoTime() - t0) / 1_000_000 + " ms)");
        } catch (java.io.IOException e) {
            return report(1, e.getMessage());
        }
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
