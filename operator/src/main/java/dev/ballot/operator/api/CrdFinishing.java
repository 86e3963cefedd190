package dev.ballot.operator.api;

import io.fabric8.crdv2.generator.CRDPostProcessor;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import java.util.Comparator;
import java.util.List;

/**
 * Finishes the generated CRD at build time (QOSDK's quarkus.operator-sdk.crd.post-processor): printer columns in
 * the order users read them (kubectl prints them as listed; the generator sorts them by JSON path), and
 * descriptions of the resource, spec and status for kubectl explain (the generator has none for inherited fields).
 */
public class CrdFinishing implements CRDPostProcessor {
    static final List<String> ORDER = List.of("Protocol", "Replicas", "Ready", "Leader", "Term", "Age", "Phase",
            "Updated");

    @Override
    public HasMetadata process(HasMetadata crd, String crdSpecVersion) {
        if (crd instanceof CustomResourceDefinition definition) {
            definition.getSpec().getVersions().forEach(v -> {
                if (v.getAdditionalPrinterColumns() != null) {
                    v.getAdditionalPrinterColumns().sort(Comparator.comparingInt(CrdFinishing::rank));
                }
                if (v.getSchema() != null && v.getSchema().getOpenAPIV3Schema() != null) {
                    var root = v.getSchema().getOpenAPIV3Schema();
                    root.setDescription("An election-based cluster of Ballot nodes running Raft or ZAB. The operator"
                            + " runs it as a StatefulSet and reports the leader, term and quorum the members"
                            + " report themselves.");
                    var props = root.getProperties();
                    if (props.containsKey("spec")) {
                        props.get("spec").setDescription("The desired cluster. Written by users (or Git) only;"
                                + " the operator never changes it.");
                    }
                    if (props.containsKey("status")) {
                        props.get("status").setDescription("What the operator observed for"
                                + " status.observedGeneration. Health is in the conditions, not in phase.");
                    }
                }
            });
        }
        return crd;
    }

    private static int rank(CustomResourceColumnDefinition column) {
        int i = ORDER.indexOf(column.getName());
        return i < 0 ? ORDER.size() : i;
    }
}
