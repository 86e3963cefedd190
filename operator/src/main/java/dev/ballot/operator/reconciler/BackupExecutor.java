package dev.ballot.operator.reconciler;

import dev.ballot.backup.BackupKeys;
import dev.ballot.backup.BackupStore;
import dev.ballot.backup.Retention;
import dev.ballot.backup.S3Credentials;
import dev.ballot.backup.S3Location;
import dev.ballot.backup.SnapshotBackup;
import dev.ballot.operator.api.BackupSpec;
import dev.ballot.operator.api.BackupStatus;
import dev.ballot.operator.api.ElectionCluster;
import dev.ballot.operator.api.S3Spec;
import dev.ballot.operator.backup.BackupPlan;
import dev.ballot.operator.backup.BackupPlanner;
import dev.ballot.operator.backup.BackupStatuses;
import dev.ballot.operator.desired.GoDurations;
import dev.ballot.operator.members.MemberUrls;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.jboss.logging.Logger;

/**
 * Takes the backups {@link BackupPlanner} decides, off the reconcile thread: reads the credentials Secret, streams
 * the leader's snapshot to S3 ({@link SnapshotBackup}) and applies the retention. A reconcile starts a backup and
 * later ones pick its outcome up into status.backup; one backup per cluster at a time.
 */
final class BackupExecutor {
    private static final Logger LOG = Logger.getLogger(BackupExecutor.class);

    /** What reconcile writes: the new status.backup (null when backups are off) and when to look again. */
    record Result(BackupStatus status, Duration recheck) {
    }

    /** A backup started by this process; its future completes with the status.backup it leaves. */
    private record Run(BackupStatus startedStatus, CompletableFuture<BackupStatus> outcome) {
    }

    private final KubernetesClient client;
    private final OperatorSettings settings;
    private final HttpClient http;
    private final Clock clock;
    private final Map<String, Run> runs = new ConcurrentHashMap<>();
    /**
     * The runningSince of each cluster's last backup this process finished: a status read from the cache before the
     * outcome's write arrives still shows it, and that backup is done, not orphaned.
     */
    private final Map<String, String> finishedStarts = new ConcurrentHashMap<>();
    private final ExecutorService threads = Executors.newFixedThreadPool(2, r -> {
        Thread t = new Thread(r, "ballot-backup");
        t.setDaemon(true);
        return t;
    });

    BackupExecutor(KubernetesClient client, OperatorSettings settings, HttpClient http, Clock clock) {
        this.client = client;
        this.settings = settings;
        this.http = http;
        this.clock = clock;
    }

    /** @param leader the leading member's pod name, or null: then no backup starts until one leads */
    Result reconcile(ElectionCluster cluster, String leader) {
        String key = cluster.getMetadata().getNamespace() + "/" + cluster.getMetadata().getName();
        BackupSpec spec = cluster.getSpec() == null ? null : cluster.getSpec().backup;
        BackupStatus previous = cluster.getStatus() == null ? null : cluster.getStatus().backup;
        Instant now = clock.instant();
        Run run = runs.get(key);
        if (run != null && run.outcome().isDone()) {
            runs.remove(key);
            previous = run.outcome().join();
            finishedStarts.put(key, run.startedStatus().runningSince);
            run = null;
        } else if (run != null) {
            // Still running: keep what the start wrote (a status read before it may lag).
            previous = run.startedStatus();
        }
        if (spec == null) {
            return new Result(previous, null);
        }
        Map<String, String> annotations = cluster.getMetadata().getAnnotations();
        String request = annotations == null ? null : annotations.get(BackupPlanner.BACKUP_NOW);
        Instant created = cluster.getMetadata().getCreationTimestamp() == null ? now
                : Instant.parse(cluster.getMetadata().getCreationTimestamp());
        boolean orphaned = run == null && previous != null && previous.runningSince != null
                && !previous.runningSince.equals(finishedStarts.get(key));
        BackupPlan plan = BackupPlanner.plan(spec, previous, created, request, run != null, orphaned, now);
        if (plan.error() != null) {
            BackupStatus s = BackupStatuses.copy(previous);
            s.lastError = plan.error();
            return new Result(s, plan.recheck());
        }
        if (!plan.start()) {
            return new Result(previous, plan.recheck());
        }
        if (leader == null) {
            // A snapshot holding every acknowledged write needs a leader; one is usually minutes, not hours, away.
            return new Result(previous, Duration.ofSeconds(2));
        }
        BackupStatus started = BackupStatuses.started(previous, plan, now);
        String pod = leader;
        CompletableFuture<BackupStatus> outcome = CompletableFuture.supplyAsync(
                () -> take(cluster, spec, pod, started), threads);
        runs.put(key, new Run(started, outcome));
        LOG.infof("backup of %s started (%s) from %s%s", key, plan.slot() != null ? "schedule slot " + plan.slot()
                : "request " + plan.request(), pod, orphaned ? " again: the one status.backup says runs since "
                + previous.runningSince + " has no runner in this operator process (it stopped with the process"
                + " that started it)" : "");
        return new Result(started, plan.recheck());
    }

    private BackupStatus take(ElectionCluster cluster, BackupSpec spec, String pod, BackupStatus started) {
        String ns = cluster.getMetadata().getNamespace();
        String name = cluster.getMetadata().getName();
        try {
            S3Spec s3 = spec.s3;
            S3Location location = new S3Location(s3.bucket, s3.prefix, s3.endpoint, s3.region,
                    Boolean.TRUE.equals(s3.forcePathStyle));
            try (BackupStore store = BackupStore.open(location, credentials(ns, s3.credentialsSecret))) {
                URI member = memberUrl(settings.memberUrlTemplate(), name, ns, pod, OperatorTls.enabled(cluster, settings));
                SnapshotBackup.Taken taken = SnapshotBackup.take(http, member, store, ns, name, clock);
                LOG.infof("backup of %s/%s: %s, %d bytes, index %d, %d ms", ns, name, taken.manifest().object(),
                        taken.manifest().size(), taken.manifest().index(), taken.took().toMillis());
                return BackupStatuses.succeeded(started, taken, retain(store, spec, ns, name));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return BackupStatuses.failed(started, "interrupted: the operator is stopping", clock.instant());
        } catch (Exception e) {
            LOG.warnf("backup of %s/%s failed: %s", ns, name, e.getMessage());
            return BackupStatuses.failed(started, e.getMessage() == null ? e.toString() : e.getMessage(), clock.instant());
        }
    }

    /**
     * Where the backup is read from: the member's API, over HTTPS on a TLS cluster (as every other call of the
     * operator). It was always http, so a TLS member closed the connection at the first bytes and backups failed
     * with "HTTP/1.1 header parser received no bytes" (e2e kubectl-ballot with TLS on, 2026-12-07).
     */
    static URI memberUrl(String template, String cluster, String ns, String pod, boolean tls) {
        return MemberUrls.withTls(MemberUrls.ofPod(template, cluster, ns, pod), tls);
    }

    /** Applies the retention; the error message when it failed (the backup itself succeeded), else null. */
    private String retain(BackupStore store, BackupSpec spec, String ns, String name) {
        if (spec.retention == null || (spec.retention.keep == null && spec.retention.maxAge == null)) {
            return null;
        }
        try {
            Duration maxAge = spec.retention.maxAge == null ? null : GoDurations.parse(spec.retention.maxAge)
                    .orElseThrow(() -> new IllegalArgumentException("spec.backup.retention.maxAge '" + spec.retention.maxAge
                            + "' is not a Go duration such as 168h"));
            String prefix = BackupKeys.clusterPrefix(store.location(), ns, name);
            List<String> doomed = Retention.toDelete(store.list(prefix), spec.retention.keep, maxAge, clock.instant());
            List<String> withManifests = doomed.stream().flatMap(k -> java.util.stream.Stream.of(k, BackupKeys.manifestKey(k)))
                    .toList();
            store.delete(withManifests);
            return null;
        } catch (Exception e) {
            return "retention: " + e.getMessage();
        }
    }

    private S3Credentials credentials(String ns, String secretName) {
        Secret secret = client.secrets().inNamespace(ns).withName(secretName).get();
        if (secret == null) {
            throw new IllegalStateException("the Secret " + ns + "/" + secretName + " named by spec.backup.s3.credentialsSecret"
                    + " does not exist: create it with keys " + S3Credentials.ACCESS_KEY_ID + " and " + S3Credentials.SECRET_ACCESS_KEY);
        }
        return new S3Credentials(value(secret, S3Credentials.ACCESS_KEY_ID), value(secret, S3Credentials.SECRET_ACCESS_KEY));
    }

    private static String value(Secret secret, String key) {
        String data = secret.getData() == null ? null : secret.getData().get(key);
        if (data != null) {
            return new String(Base64.getDecoder().decode(data), StandardCharsets.UTF_8).trim();
        }
        String plain = secret.getStringData() == null ? null : secret.getStringData().get(key);
        if (plain != null) {
            return plain.trim();
        }
        throw new IllegalStateException("the Secret " + secret.getMetadata().getNamespace() + "/" + secret.getMetadata().getName()
                + " has no key " + key + ": it needs " + S3Credentials.ACCESS_KEY_ID + " and " + S3Credentials.SECRET_ACCESS_KEY);
    }
}
