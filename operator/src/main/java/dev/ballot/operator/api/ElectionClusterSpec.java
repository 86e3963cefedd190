package dev.ballot.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.model.annotation.SpecReplicas;

/** What the user asks for. The operator never writes it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "self.protocol == 'Raft' || !has(self.learners) || self.learners == 0",
        message = "spec.learners is for Raft only: set spec.learners to 0, or use spec.observers with protocol Zab")
@ValidationRule(value = "self.protocol == 'Zab' || !has(self.observers) || self.observers == 0",
        message = "spec.observers is for Zab only: set spec.observers to 0, or use spec.learners with protocol Raft")
// On spec, not on storage: adding a storage block with a class later is a change of class too.
@ValidationRule(value = "(has(self.storage) && has(self.storage.storageClassName) ? self.storage.storageClassName : '')"
        + " == (has(oldSelf.storage) && has(oldSelf.storage.storageClassName) ? oldSelf.storage.storageClassName : '')",
        message = "spec.storage.storageClassName is immutable (existing volumes keep their class): restore the old"
                + " value, or leave it unset if it was")
@ValidationRule(value = "!has(self.tls) || !has(self.tls.certificates) || self.tls.certificates != 'Provided'"
        + " || !has(self.clients) || size(self.clients) == 0",
        message = "spec.clients needs the operator's certificates, but spec.tls.certificates is Provided: issue client"
                + " certificates from your own issuer (cert-manager), and remove spec.clients")
@ValidationRule(value = "self.protocol == 'Raft' || !has(self.keyspaceQuota)",
        message = "spec.keyspaceQuota is for Raft only (the HTTP key-value store's quota): remove it, or use protocol Raft")
public class ElectionClusterSpec {

    @Required
    @JsonPropertyDescription("Consensus protocol run by every member: Raft or Zab. Immutable: to change it, create a new"
            + " cluster and move the data.")
    @ValidationRule(value = "self == oldSelf",
            message = "spec.protocol is immutable: keep its old value, or create a new ElectionCluster")
    public ConsensusProtocol protocol;

    @SpecReplicas
    @Default("3")
    @Min(1)
    @ValidationRule(value = "self >= 1", message = "spec.replicas must be at least 1: set it to 1, 3 or 5 voters")
    @JsonPropertyDescription("Number of voting members. Odd counts (1, 3, 5) tolerate the most failures per member;"
            + " an even count is allowed but tolerates no more failures than one member fewer, and the operator"
            + " warns about it.")
    public Integer replicas;

    @Default("0")
    @Min(0)
    @JsonPropertyDescription("Raft only: number of non-voting learners that replicate the log but do not vote."
            + " Learner pods take the ordinals after the voters.")
    public Integer learners;

    @Default("0")
    @Min(0)
    @JsonPropertyDescription("Zab only: number of observers (ZooKeeper's non-voting members). Observer pods take the"
            + " ordinals after the voters.")
    public Integer observers;

    @Default(BuildImages.NODE)
    @JsonPropertyDescription("Container image of the Ballot node.")
    public String image;

    @JsonPropertyDescription("Informative version of the node software in the image; shown in events and used by"
            + " rollouts to describe what changes.")
    public String version;

    @JsonPropertyDescription("Raft election timing. Used when protocol is Raft.")
    public RaftTimingSpec raft;

    @JsonPropertyDescription("ZAB timing, with ZooKeeper's meaning. Used when protocol is Zab.")
    public ZabTimingSpec zab;

    @JsonPropertyDescription("Persistent storage of each member (one PersistentVolumeClaim per pod).")
    public StorageSpec storage;

    @JsonPropertyDescription("Compute resources of the node container (core/v1 ResourceRequirements).")
    public ResourceRequirements resources;

    @JsonPropertyDescription("Overrides applied to every member pod: labels, annotations, scheduling and security.")
    public PodTemplateOverrides podTemplate;

    @Default("600")
    @Min(1)
    @JsonPropertyDescription("Seconds a rollout, scaling or member-replacement step may stay the next step before the"
            + " cluster is Stalled with reason ProgressDeadlineExceeded (a Warning Event too); it clears when the step"
            + " moves. The operator keeps trying meanwhile.")
    public Integer progressDeadlineSeconds;

    @JsonPropertyDescription("How the operator rolls members when the pod template changes.")
    public UpdateStrategy updateStrategy;

    @Default("false")
    @JsonPropertyDescription("When true the operator observes and reports status but changes nothing in the cluster.")
    public Boolean paused;

    @JsonPropertyDescription("Scheduled and on-demand backups to S3-compatible storage.")
    public BackupSpec backup;

    @ValidationRule(value = "self == oldSelf", message = "spec.bootstrap is immutable: it says how the cluster was"
            + " created; to start from another backup, create a new ElectionCluster")
    @JsonPropertyDescription("How the cluster starts: from a backup (fromBackup), or empty when unset. Immutable.")
    public BootstrapSpec bootstrap;

    @JsonPropertyDescription("TLS for clients and peers (on when omitted): see docs/operator.md, TLS.")
    public TlsSpec tls;

    @JsonPropertyDescription("Applications that get a client certificate: one Secret <name>-client-<entry> each"
            + " (tls.crt, tls.key, ca.crt), renewed by the operator. Needs spec.tls with the operator's certificates"
            + " (with spec.tls.certificates Provided, issue client certificates from your own issuer).")
    public java.util.List<String> clients;

    @JsonPropertyDescription("Raft only: the keyspace quota of every member's store (etcd's --quota-backend-bytes: keys"
            + " and values of every version kept until compaction), e.g. 64Mi, at least 1Ki. The write that would pass"
            + " it raises the NOSPACE alarm: every write that adds data is refused ('etcdserver: mvcc: database space"
            + " exceeded') until keys are deleted, history compacted and the alarm disarmed (etcdctl alarm disarm);"
            + " condition KeyspaceQuotaExceeded. Unset: no quota.")
    public io.fabric8.kubernetes.api.model.Quantity keyspaceQuota;

    @JsonPropertyDescription("The NetworkPolicy of the member pods (on when omitted): see docs/operator.md.")
    public NetworkPolicySpec networkPolicy;
}
