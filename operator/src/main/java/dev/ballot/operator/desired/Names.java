package dev.ballot.operator.desired;

import java.util.LinkedHashMap;
import java.util.Map;

/** Names and labels of a cluster's children, as fixed by docs/conventions.md. */
public final class Names {
    public static final String LABEL_NAME = "app.kubernetes.io/name";
    public static final String LABEL_INSTANCE = "app.kubernetes.io/instance";
    public static final String LABEL_MANAGED_BY = "app.kubernetes.io/managed-by";
    public static final String NODE_APP = "ballot-node";
    public static final String MANAGER = "ballot-operator";
    /** Selector that every child's informer uses, so the operator caches only its own objects. */
    public static final String MANAGED_SELECTOR = LABEL_MANAGED_BY + "=" + MANAGER;

    private Names() {
    }

    public static String statefulSet(String cluster) {
        return cluster;
    }

    public static String peerService(String cluster) {
        return cluster + "-peers";
    }

    public static String clientService(String cluster) {
        return cluster + "-client";
    }

    public static String configMap(String cluster) {
        return cluster + "-config";
    }

    public static String podDisruptionBudget(String cluster) {
        return cluster;
    }

    public static String pod(String cluster, int ordinal) {
        return cluster + "-" + ordinal;
    }

    /** The DNS name of a member inside the cluster: {@code <pod>.<cluster>-peers.<ns>.svc}. */
    public static String peerHost(String cluster, String namespace, int ordinal) {
        return pod(cluster, ordinal) + "." + peerService(cluster) + "." + namespace + ".svc";
    }

    public static String networkPolicy(String cluster) {
        return cluster;
    }

    /** The cluster's CA: {@code ca.crt}, {@code ca.key} (and {@code previous.crt} after a CA renewal). */
    public static String caSecret(String cluster) {
        return cluster + "-ca";
    }

    /** Every member's certificate ({@code <pod>.crt}, {@code <pod>.key}) and {@code ca.crt}; mounted by every member. */
    public static String memberTlsSecret(String cluster) {
        return cluster + "-tls";
    }

    /** The operator's certificate for this cluster (URI SAN ballot://operator). */
    public static String operatorTlsSecret(String cluster) {
        return cluster + "-operator-tls";
    }

    /**
     * A member's own certificate when the user provides them ({@code spec.tls.certificates: Provided}), in cert-manager's
     * layout ({@code tls.crt}, {@code tls.key}, {@code ca.crt}): one Secret per member, named after its pod.
     */
    public static String providedMemberSecret(String pod) {
        return pod + "-member-tls";
    }

    /** An application's certificate ({@code spec.clients}), in cert-manager's layout. */
    public static String clientSecret(String cluster, String client) {
        return cluster + "-client-" + client;
    }

    /** Labels on every child and every pod; also the pod selector. */
    public static Map<String, String> labels(String cluster) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(LABEL_NAME, NODE_APP);
        labels.put(LABEL_INSTANCE, cluster);
        labels.put(LABEL_MANAGED_BY, MANAGER);
        return labels;
    }

    /** The pod selector as a string, for status.selector (scale subresource). */
    public static String selector(String cluster) {
        return LABEL_NAME + "=" + NODE_APP + "," + LABEL_INSTANCE + "=" + cluster;
    }

    /** Labels that select the pods (a subset of {@link #labels}; never changes, as StatefulSet selectors cannot). */
    public static Map<String, String> selectorLabels(String cluster) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(LABEL_NAME, NODE_APP);
        labels.put(LABEL_INSTANCE, cluster);
        return labels;
    }
}
