package dev.ballot.operator.desired;

import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;

/**
 * The node container's compute resources when the spec names none, from what a member was measured to hold
 * (docs/bench.md "Memory"): 103-130 MiB resident after 1,000 writes from 64 clients, up to 165 MiB with a
 * flight recorder on at load 28. The request covers the measured steady state, so the scheduler places members
 * where that much is free; the limit leaves twice the largest measurement, and with the image's
 * {@code MaxRAMPercentage=75} it bounds the heap at 240 MiB, the size the bench runs members with (256 MiB).
 * No CPU limit: a throttled member's heartbeats arrive late and its followers elect a new leader.
 */
public final class NodeResources {
    static final String CPU_REQUEST = "100m";
    static final String MEMORY_REQUEST = "160Mi";
    static final String MEMORY_LIMIT = "320Mi";

    private NodeResources() {
    }

    /** {@code specified} when the spec has any requests or limits, else the measured defaults. */
    public static ResourceRequirements orDefaults(ResourceRequirements specified) {
        if (specified != null && (notEmpty(specified.getRequests()) || notEmpty(specified.getLimits())
                || specified.getClaims() != null && !specified.getClaims().isEmpty())) {
            return specified;
        }
        return new ResourceRequirementsBuilder()
                .addToRequests("cpu", new Quantity(CPU_REQUEST))
                .addToRequests("memory", new Quantity(MEMORY_REQUEST))
                .addToLimits("memory", new Quantity(MEMORY_LIMIT))
                .build();
    }

    private static boolean notEmpty(java.util.Map<?, ?> m) {
        return m != null && !m.isEmpty();
    }
}
