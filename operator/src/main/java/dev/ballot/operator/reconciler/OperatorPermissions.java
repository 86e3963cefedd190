package dev.ballot.operator.reconciler;

import java.util.List;

/**
 * Every Kubernetes permission the operator's code uses, with the code that uses it: the one list deploy/rbac.yaml,
 * the Helm chart's RBAC template and docs/operator.md's RBAC table must grant exactly (OperatorPermissionsTest fails
 * on any difference, and checks this list against the dependents' types and {@code @AdditionalRBACRules}).
 *
 * <p>Reads: {@code list, watch} for every informer; {@code get} where the code reads one object or JOSDK may re-read
 * it. Writes: only what a call site sends. Children are created and changed through server-side apply in production
 * ({@code patch}, plus {@code create} when the apply creates) and through create/update where SSA is off (tests,
 * {@code quarkus.operator-sdk.enable-ssa=false}); they are deleted by Kubernetes' garbage collector through their
 * owner reference, never by the operator, except the StatefulSet replaced for a larger claim template and the claim
 * of a member replace-member rebuilds.
 */
public final class OperatorPermissions {
    /** One RBAC rule: an API group ("" for core), its resources, the verbs, and who uses them. */
    public record Grant(String apiGroup, List<String> resources, List<String> verbs, String usedBy) {
        public Grant {
            resources = List.copyOf(resources);
            verbs = List.copyOf(verbs);
        }
    }

    private static final List<String> CHILD = List.of("get", "list", "watch", "create", "patch", "update");

    /** Cluster-wide (or per watched namespace, with the chart's RoleBindings): the ClusterRole. */
    public static final List<Grant> CLUSTER = List.of(
            new Grant("ballot.dev", List.of("electionclusters"), List.of("get", "list", "watch"),
                    "the primary resource's informer (the operator never writes spec or metadata; no finalizer)"),
            new Grant("ballot.dev", List.of("electionclusters/status"), List.of("patch"),
                    "status patches (UpdateControl.patchStatus and the error status: JOSDK patches, never updates)"),
            new Grant("ballot.dev", List.of("electionclusters/finalizers"), List.of("update"),
                    "setting owner references on the children where the OwnerReferencesPermissionEnforcement "
                            + "admission plugin runs (OpenShift)"),
            new Grant("apps", List.of("statefulsets"), List.of("get", "list", "watch", "create", "patch", "update",
                    "delete"), "StatefulSetDependent; VolumeResizer deletes it (propagationPolicy Orphan) to "
                    + "recreate it with a larger claim template"),
            new Grant("", List.of("services", "configmaps"), CHILD,
                    "PeerServiceDependent, ClientServiceDependent, ConfigMapDependent"),
            new Grant("policy", List.of("poddisruptionbudgets"), CHILD, "PodDisruptionBudgetDependent"),
            new Grant("networking.k8s.io", List.of("networkpolicies"), CHILD, "NetworkPolicyDependent"),
            new Grant("", List.of("pods"), List.of("get", "list", "watch", "patch", "delete"),
                    "the pods informer (revisions, readiness); RolloutExecutor re-reads one pod and deletes it; "
                            + "MountedSecretRefresh annotates the member pods after their certificates changed"),
            new Grant("", List.of("persistentvolumeclaims"), List.of("get", "list", "watch", "patch", "delete"),
                    "the claims informer; VolumeResizer patches spec.resources.requests.storage (get: what "
                            + "kubectl patch needs to do the same by hand as the operator's ServiceAccount); "
                            + "ActionExecutor deletes the claim of the member replace-member rebuilds"),
            new Grant("", List.of("secrets"), List.of("get", "list", "create", "update", "delete"),
                    "ClusterCertificates: reads and writes each cluster's CA, member, operator and client certificate"
                            + " Secrets, deletes the Secret of a client removed from spec.clients; BackupExecutor reads"
                            + " the Secret spec.backup.s3.credentialsSecret names (accessKeyId, secretAccessKey)"),
            new Grant("storage.k8s.io", List.of("storageclasses"), List.of("get"),
                    "VolumeResizer reads a claim's class (allowVolumeExpansion) before patching it"),
            new Grant("", List.of("events"), List.of("create"), "EventRecorder"));

    /**
     * In the operator's own namespace: the leader-election Role. fabric8's LeaseLock gets, creates and patches the
     * Lease; JOSDK's LeaderElectionManager refuses to start unless a SelfSubjectRulesReview grants get, create and
     * update.
     */
    public static final List<Grant> OWN_NAMESPACE = List.of(
            new Grant("coordination.k8s.io", List.of("leases"), List.of("get", "create", "update", "patch"),
                    "OperatorLeaderElection (fabric8 LeaseLock: get, create, patch; JOSDK's startup check: update)"));

    private OperatorPermissions() {
    }
}
