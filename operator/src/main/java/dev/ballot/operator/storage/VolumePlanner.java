package dev.ballot.operator.storage;

import io.fabric8.kubernetes.api.model.Quantity;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Decides, per member claim, how to reach spec.storage.size: nothing, a patch of the claim's request, a wait for
 * the resize under way, or blocked because the claim's StorageClass cannot grow it. Volumes only grow: a claim
 * above the desired size is left alone. Quantities are compared by value ({@code 1024Mi} equals {@code 1Gi}). Pure.
 */
public final class VolumePlanner {
    private VolumePlanner() {
    }

    /**
     * @param desiredSize  spec.storage.size
     * @param templateSize what the StatefulSet's claim template requests, or null without a StatefulSet
     * @param claims       the existing claims of the current members (missing ones are made from the template)
     * @param expansion    what a StorageClass allows, asked only for claims that must grow
     */
    public static VolumeGrowth plan(String desiredSize, Quantity templateSize, List<ClaimView> claims,
                                  Function<String, Expansion> expansion) {
        Quantity desired = new Quantity(desiredSize);
        List<ClaimStep> steps = new ArrayList<>();
        for (ClaimView c : claims) {
            steps.add(step(desiredSize, desired, c, expansion));
        }
        boolean templateOutdated = templateSize != null && smaller(templateSize, desired);
        return new VolumeGrowth(desiredSize, steps, templateOutdated);
    }

    private static ClaimStep step(String desiredSize, Quantity desired, ClaimView c,
                                  Function<String, Expansion> expansion) {
        if (c.requested() != null && !smaller(c.requested(), desired)) {
            return resizeUnderWay(c);
        }
        String current = c.requested() == null ? "no size" : c.requested().toString();
        if (!c.bound()) {
            // The API server only lets a bound claim grow; the provisioner binds it first.
            return new ClaimStep(c.name(), ClaimStep.Kind.WAIT, c.name() + " (" + current + ") is not bound yet");
        }
        String cls = c.storageClassName();
        if (cls == null || cls.isEmpty()) {
            return new ClaimStep(c.name(), ClaimStep.Kind.BLOCKED, "it has no StorageClass and only dynamically "
                    + "provisioned claims can grow: grow its PersistentVolume by hand; spec.storage.size cannot be "
                    + "lowered again");
        }
        Expansion e = expansion.apply(cls);
        if (e == Expansion.NOT_ALLOWED || e == Expansion.CLASS_MISSING) {
            String why = e == Expansion.CLASS_MISSING ? "StorageClass " + cls + " does not exist"
                    : "StorageClass " + cls + " does not allow volume expansion";
            return new ClaimStep(c.name(), ClaimStep.Kind.BLOCKED, why + ": set allowVolumeExpansion: true on "
                    + "StorageClass " + cls + " if its provisioner can expand volumes (the operator retries on its "
                    + "own); spec.storage.size cannot be lowered again");
        }
        return new ClaimStep(c.name(), ClaimStep.Kind.PATCH, "grow " + c.name() + " from " + current + " to "
                + desiredSize);
    }

    /** A claim that requests enough: done once its capacity follows and no resize condition is left. */
    private static ClaimStep resizeUnderWay(ClaimView c) {
        if (c.conditions().contains(ClaimView.FILE_SYSTEM_RESIZE_PENDING)) {
            return new ClaimStep(c.name(), ClaimStep.Kind.WAIT, c.name() + " waits for the kubelet to grow its "
                    + "filesystem (online, or when its pod next starts if the CSI driver only expands offline)");
        }
        if (c.conditions().contains(ClaimView.RESIZING)) {
            return new ClaimStep(c.name(), ClaimStep.Kind.WAIT, c.name() + " is being resized by its provisioner");
        }
        if (c.bound() && c.capacity() != null && smaller(c.capacity(), c.requested())) {
            return new ClaimStep(c.name(), ClaimStep.Kind.WAIT, c.name() + " requests " + c.requested()
                    + ", capacity " + c.capacity() + " so far");
        }
        return new ClaimStep(c.name(), ClaimStep.Kind.NONE, "");
    }

    static boolean smaller(Quantity a, Quantity b) {
        return a.compareTo(b) < 0;
    }
}
