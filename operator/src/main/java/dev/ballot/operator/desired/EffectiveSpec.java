package dev.ballot.operator.desired;

import dev.ballot.operator.api.BuildImages;
import dev.ballot.operator.api.ElectionClusterSpec;
import dev.ballot.operator.api.FromBackupSpec;
import dev.ballot.operator.api.PodTemplateOverrides;
import dev.ballot.operator.api.ConsensusProtocol;
import dev.ballot.operator.api.UpdateStrategy;
import io.fabric8.kubernetes.api.model.ResourceRequirements;

/**
 * The spec with the CRD's defaults applied in memory. The API server applies the same defaults, but the operator
 * must not depend on it (the test mock does not default), and it never writes defaults back into spec.
 * {@code restoreFrom}: the backup every voter starts from (spec.bootstrap.fromBackup), or null.
 * {@code keyspaceQuotaBytes}: spec.keyspaceQuota in bytes, or null for none.
 * {@code clientFrom}, {@code metricsFrom}: as in spec.networkPolicy; null (omitted) means their defaults.
 */
public record EffectiveSpec(
        ConsensusProtocol protocol,
        int voters,
        int learners,
        int observers,
        String image,
        String version,
        String electionTimeoutMin,
        String electionTimeoutMax,
        String heartbeatInterval,
        int tickTime,
        int initLimit,
        int syncLimit,
        String storageSize,
        String storageClassName,
        ResourceRequirements resources,
        PodTemplateOverrides podTemplate,
        UpdateStrategy.Type updateType,
        boolean transferLeadership,
        boolean paused,
        boolean tls,
        boolean tlsClientCertRequired,
        java.util.List<String> clients,
        boolean networkPolicy,
        java.util.List<io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer> clientFrom,
        java.util.List<io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer> metricsFrom,
        FromBackupSpec restoreFrom,
        Long keyspaceQuotaBytes) {

    public static final String DEFAULT_IMAGE = BuildImages.NODE;

    public static EffectiveSpec of(ElectionClusterSpec s) {
        return of(s, true);
    }

    /** @param tlsByDefault TLS for a spec that omits {@code tls} (the operator's ballot.tls.default-enabled) */
    public static EffectiveSpec of(ElectionClusterSpec s, boolean tlsByDefault) {
        var raft = s.raft;
        var zab = s.zab;
        var storage = s.storage;
        var update = s.updateStrategy;
        return new EffectiveSpec(
                s.protocol,
                or(s.replicas, 3),
                or(s.learners, 0),
                or(s.observers, 0),
                s.image == null || s.image.isBlank() ? DEFAULT_IMAGE : s.image,
                s.version,
                raft == null || raft.electionTimeoutMin == null ? "150ms" : raft.electionTimeoutMin,
                raft == null || raft.electionTimeoutMax == null ? "300ms" : raft.electionTimeoutMax,
                raft == null || raft.heartbeatInterval == null ? "50ms" : raft.heartbeatInterval,
                zab == null ? 2000 : or(zab.tickTime, 2000),
                zab == null ? 10 : or(zab.initLimit, 10),
                zab == null ? 5 : or(zab.syncLimit, 5),
                storage == null || storage.size == null ? "1Gi" : storage.size,
                storage == null ? null : emptyToNull(storage.storageClassName),
                NodeResources.orDefaults(s.resources),
                s.podTemplate == null ? new PodTemplateOverrides() : s.podTemplate,
                update == null || update.type == null ? UpdateStrategy.Type.RollingUpdate : update.type,
                update == null || update.transferLeadership == null || update.transferLeadership,
                Boolean.TRUE.equals(s.paused),
                s.tls == null ? tlsByDefault : s.tls.enabled == null || s.tls.enabled,
                s.tls != null && s.tls.clientAuth == dev.ballot.operator.api.TlsSpec.ClientAuth.Required,
                s.clients == null ? java.util.List.of() : java.util.List.copyOf(s.clients),
                s.networkPolicy == null || s.networkPolicy.enabled == null || s.networkPolicy.enabled,
                s.networkPolicy == null ? null : s.networkPolicy.clientFrom,
                s.networkPolicy == null ? null : s.networkPolicy.metricsFrom,
                s.bootstrap == null ? null : s.bootstrap.fromBackup,
                s.keyspaceQuota == null ? null : bytes(s.keyspaceQuota));
    }

    /** Non-voting members: Raft learners or ZAB observers, whichever the protocol uses. */
    public int nonVoters() {
        return protocol == ConsensusProtocol.Zab ? observers : learners;
    }

    /** All member pods: voters take ordinals 0..voters-1, non-voters the ordinals after them. */
    public int pods() {
        return voters + nonVoters();
    }

    public boolean isVoter(int ordinal) {
        return ordinal < voters;
    }

    /** A quantity in bytes; null when it is not one (SpecValidator names the field). */
    static Long bytes(io.fabric8.kubernetes.api.model.Quantity q) {
        try {
            return io.fabric8.kubernetes.api.model.Quantity.getAmountInBytes(q).longValueExact();
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static int or(Integer value, int fallback) {
        return value == null ? fallback : value;
    }

    private static String emptyToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
