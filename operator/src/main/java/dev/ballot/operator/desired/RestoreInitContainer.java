package dev.ballot.operator.desired;

import dev.ballot.backup.BackupFetch;
import dev.ballot.backup.S3Credentials;
import dev.ballot.operator.api.FromBackupSpec;
import dev.ballot.operator.api.S3Spec;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.util.ArrayList;
import java.util.List;

/**
 * spec.bootstrap.fromBackup as an init container: {@code ballot-node restore} with the node container's image,
 * config, volumes, environment and security, plus where the backup is; the credentials come from the Secret through
 * the kubelet ({@code secretKeyRef}), so the operator never handles them for a restore. The node program writes the
 * state only into a new voter's empty volume while the cluster bootstraps (docs/operator.md), so the init container
 * stays harmless for the cluster's whole life.
 */
public final class RestoreInitContainer {
    public static final String NAME = "restore";

    private RestoreInitContainer() {
    }

    /** Adds the init container to {@code sts} when the spec restores from a backup. */
    static void add(StatefulSet sts, EffectiveSpec spec, String namespace) {
        FromBackupSpec from = spec.restoreFrom();
        if (from == null || from.s3 == null) {
            return;
        }
        Container node = sts.getSpec().getTemplate().getSpec().getContainers().get(0);
        List<EnvVar> env = new ArrayList<>(node.getEnv());
        S3Spec s3 = from.s3;
        env.add(new EnvVar("BALLOT_RESTORE_BUCKET", s3.bucket, null));
        env.add(new EnvVar("BALLOT_RESTORE_PREFIX", s3.prefix == null ? "" : s3.prefix, null));
        env.add(new EnvVar("BALLOT_RESTORE_ENDPOINT", s3.endpoint == null ? "" : s3.endpoint, null));
        env.add(new EnvVar("BALLOT_RESTORE_REGION", s3.region == null ? "" : s3.region, null));
        env.add(new EnvVar("BALLOT_RESTORE_FORCE_PATH_STYLE", Boolean.toString(Boolean.TRUE.equals(s3.forcePathStyle)), null));
        env.add(new EnvVar("BALLOT_RESTORE_SOURCE_NAMESPACE", from.namespace == null || from.namespace.isBlank()
                ? namespace : from.namespace, null));
        env.add(new EnvVar("BALLOT_RESTORE_SOURCE_CLUSTER", from.cluster, null));
        env.add(new EnvVar("BALLOT_RESTORE_OBJECT", from.object == null || from.object.isBlank()
                ? BackupFetch.LATEST : from.object, null));
        env.add(secretRef("AWS_ACCESS_KEY_ID", s3.credentialsSecret, S3Credentials.ACCESS_KEY_ID));
        env.add(secretRef("AWS_SECRET_ACCESS_KEY", s3.credentialsSecret, S3Credentials.SECRET_ACCESS_KEY));
        List<String> args = new ArrayList<>(node.getArgs());
        args.set(0, "restore"); // run --config <file>  ->  restore --config <file>
        Container restore = new ContainerBuilder()
                .withName(NAME)
                .withImage(node.getImage())
                .withArgs(args)
                .withEnv(env)
                .withResources(node.getResources())
                .withSecurityContext(node.getSecurityContext())
                .withVolumeMounts(node.getVolumeMounts())
                .build();
        var pod = sts.getSpec().getTemplate().getSpec();
        List<Container> inits = new ArrayList<>(pod.getInitContainers() == null ? List.of() : pod.getInitContainers());
        inits.add(restore);
        pod.setInitContainers(inits);
    }

    private static EnvVar secretRef(String name, String secret, String key) {
        return new EnvVarBuilder().withName(name).withNewValueFrom().withNewSecretKeyRef().withName(secret).withKey(key)
                .endSecretKeyRef().endValueFrom().build();
    }
}
