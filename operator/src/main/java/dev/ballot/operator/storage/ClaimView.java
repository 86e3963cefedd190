package dev.ballot.operator.storage;

import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What the volume planner needs of one member's PersistentVolumeClaim.
 *
 * @param requested  spec.resources.requests.storage, or null
 * @param capacity   status.capacity.storage, or null while unbound
 * @param conditions the types of the claim's conditions whose status is True (Resizing, FileSystemResizePending, ...)
 */
public record ClaimView(String name, Quantity requested, Quantity capacity, String storageClassName, boolean bound,
                        Set<String> conditions) {
    public static final String RESIZING = "Resizing";
    public static final String FILE_SYSTEM_RESIZE_PENDING = "FileSystemResizePending";

    public ClaimView {
        conditions = Set.copyOf(conditions);
    }

    public static ClaimView of(PersistentVolumeClaim pvc) {
        var spec = pvc.getSpec();
        Quantity requested = spec == null || spec.getResources() == null || spec.getResources().getRequests() == null
                ? null : spec.getResources().getRequests().get("storage");
        var status = pvc.getStatus();
        Quantity capacity = status == null || status.getCapacity() == null ? null
                : status.getCapacity().get("storage");
        Set<String> conditions = status == null || status.getConditions() == null ? Set.of()
                : status.getConditions().stream().filter(c -> "True".equals(c.getStatus()))
                .map(c -> c.getType()).collect(Collectors.toSet());
        return new ClaimView(pvc.getMetadata().getName(), requested, capacity,
                spec == null ? null : spec.getStorageClassName(),
                status != null && "Bound".equals(status.getPhase()), conditions);
    }

    /** The claim a StatefulSet makes for a pod from its claim template: {@code <template>-<pod>}. */
    public static String nameFor(String template, String pod) {
        return template + "-" + pod;
    }
}
