package dev.ballot.operator.api;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** An election-based cluster (Raft or ZAB) of Ballot nodes. */
@Group(ElectionCluster.GROUP)
@Version(ElectionCluster.VERSION)
@Kind("ElectionCluster")
@Plural("electionclusters")
@ShortNames({"ec", "ecs"})
@ValidationRule(value = "self.metadata.name.size() <= " + ElectionCluster.MAX_NAME_LENGTH,
        message = "metadata.name must be at most " + ElectionCluster.MAX_NAME_LENGTH
                + " characters so pod names and their revision labels fit 63: choose a shorter name")
@ValidationRule(value = "self.metadata.name.matches('^[a-z]([-a-z0-9]*[a-z0-9])?$')",
        message = "metadata.name must be a DNS-1035 label (lower-case letters, digits and '-', starting with a letter)"
                + " because it names Services: rename the cluster")
@AdditionalPrinterColumn(name = "Protocol", jsonPath = ".spec.protocol", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Replicas", jsonPath = ".spec.replicas", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Ready", jsonPath = ".status.readyReplicas", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Leader", jsonPath = ".status.leader", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Term", jsonPath = ".status.term", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
@AdditionalPrinterColumn(name = "Phase", jsonPath = ".status.phase", type = AdditionalPrinterColumn.Type.STRING,
        priority = 1)
@AdditionalPrinterColumn(name = "Updated", jsonPath = ".status.updatedReplicas",
        type = AdditionalPrinterColumn.Type.INTEGER, priority = 1)
public class ElectionCluster extends CustomResource<ElectionClusterSpec, ElectionClusterStatus> implements Namespaced {
    public static final String GROUP = "ballot.dev";
    public static final String VERSION = "v1alpha1";
    /** 63 minus "-" minus the 10-character controller-revision-hash suffix Kubernetes adds to pod labels. */
    public static final int MAX_NAME_LENGTH = 52;

    @Override
    protected ElectionClusterSpec initSpec() {
        return new ElectionClusterSpec();
    }
}
