package dev.ballot.operator.desired;

import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.AffinityBuilder;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraint;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraintBuilder;
import java.util.List;

/**
 * Where members go by default: apart. A quorum survives losing a node or a zone only if no node or zone holds a
 * majority, so the StatefulSet's pods prefer distinct nodes (anti-affinity by hostname) and spread evenly over zones.
 * Both are preferences (never leave a member Pending on a small cluster); spec.podTemplate.affinity and
 * topologySpreadConstraints replace them ({} and [] for none).
 */
public final class MemberSpread {
    public static final String HOSTNAME = "kubernetes.io/hostname";
    public static final String ZONE = "topology.kubernetes.io/zone";

    private MemberSpread() {
    }

    public static Affinity affinity(String cluster) {
        return new AffinityBuilder().withNewPodAntiAffinity()
                .addNewPreferredDuringSchedulingIgnoredDuringExecution().withWeight(100)
                .withNewPodAffinityTerm().withTopologyKey(HOSTNAME)
                .withNewLabelSelector().withMatchLabels(Names.selectorLabels(cluster)).endLabelSelector()
                .endPodAffinityTerm()
                .endPreferredDuringSchedulingIgnoredDuringExecution()
                .endPodAntiAffinity().build();
    }

    public static List<TopologySpreadConstraint> zones(String cluster) {
        return List.of(new TopologySpreadConstraintBuilder().withMaxSkew(1).withTopologyKey(ZONE)
                .withWhenUnsatisfiable("ScheduleAnyway")
                .withNewLabelSelector().withMatchLabels(Names.selectorLabels(cluster)).endLabelSelector().build());
    }
}
