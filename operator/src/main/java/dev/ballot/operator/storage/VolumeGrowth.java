package dev.ballot.operator.storage;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The volume planner's answer for one cluster.
 *
 * @param desiredSize      spec.storage.size
 * @param claims           one step per existing member claim, by claim name
 * @param templateOutdated the StatefulSet's claim template asks for less than desiredSize, so members created
 *                         later (scale-up, a lost claim) would start small
 */
public record VolumeGrowth(String desiredSize, List<ClaimStep> claims, boolean templateOutdated) {
    public VolumeGrowth {
        claims = List.copyOf(claims);
    }

    public static VolumeGrowth none(String desiredSize) {
        return new VolumeGrowth(desiredSize, List.of(), false);
    }

    public List<ClaimStep> of(ClaimStep.Kind kind) {
        return claims.stream().filter(c -> c.kind() == kind).toList();
    }

    public boolean blocked() {
        return !of(ClaimStep.Kind.BLOCKED).isEmpty();
    }

    /** Nothing to do and nothing under way. */
    public boolean converged() {
        return !templateOutdated && claims.stream().allMatch(c -> c.kind() == ClaimStep.Kind.NONE);
    }

    /** The same plan with one claim's step turned into {@link ClaimStep.Kind#BLOCKED} (the API server refused). */
    public VolumeGrowth refuse(String claim, String message) {
        List<ClaimStep> next = new ArrayList<>();
        for (ClaimStep c : claims) {
            next.add(c.claim().equals(claim) ? new ClaimStep(claim, ClaimStep.Kind.BLOCKED, message) : c);
        }
        return new VolumeGrowth(desiredSize, next, templateOutdated);
    }

    /** One line for Reconciling or Stalled: what blocks, else what is under way. */
    public String summary() {
        if (blocked()) {
            // One sentence per cause, naming every claim it holds back.
            Map<String, List<String>> claimsByCause = new LinkedHashMap<>();
            of(ClaimStep.Kind.BLOCKED).forEach(c -> claimsByCause.computeIfAbsent(c.message(), k -> new ArrayList<>())
                    .add(c.claim()));
            return claimsByCause.entrySet().stream().map(e -> "spec.storage.size " + desiredSize + " needs "
                    + String.join(", ", e.getValue()) + " to grow, but " + e.getKey())
                    .collect(Collectors.joining("; "));
        }
        List<String> parts = new ArrayList<>();
        List<ClaimStep> patch = of(ClaimStep.Kind.PATCH);
        if (!patch.isEmpty()) {
            parts.add("growing " + patch.stream().map(ClaimStep::claim).collect(Collectors.joining(", "))
                    + " to " + desiredSize);
        }
        of(ClaimStep.Kind.WAIT).forEach(c -> parts.add(c.message()));
        if (templateOutdated) {
            parts.add("the StatefulSet's claim template still asks for less than " + desiredSize
                    + " (replaced once the cluster is Ready)");
        }
        return "spec.storage.size " + desiredSize + ": " + String.join("; ", parts);
    }
}
