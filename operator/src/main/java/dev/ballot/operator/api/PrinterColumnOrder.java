package dev.ballot.operator.api;

import io.fabric8.crdv2.generator.CRDPostProcessor;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import java.util.Comparator;
import java.util.List;

/**
 * Puts the printer columns in the order users read them (kubectl prints them as listed; the generator sorts them
 * by JSON path). Run by QOSDK at build time through quarkus.operator-sdk.crd.post-processor.
 */
public class PrinterColumnOrder implements CRDPostProcessor {
    static final List<String> ORDER = List.of("Protocol", "Replicas", "Ready", "Leader", "Term", "Age", "Phase",
            "Updated");

    @Override
    public HasMetadata process(HasMetadata crd, String crdSpecVersion) {
        if (crd instanceof CustomResourceDefinition definition) {
            definition.getSpec().getVersions().forEach(v -> {
                if (v.getAdditionalPrinterColumns() != null) {
                    v.getAdditionalPrinterColumns().sort(Comparator.comparingInt(PrinterColumnOrder::rank));
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
