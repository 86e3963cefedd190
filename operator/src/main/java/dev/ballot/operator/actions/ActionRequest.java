package dev.ballot.operator.actions;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One action asked for by annotations on the ElectionCluster: {@code ballot.dev/<kind>: "<target>"} and, optionally,
 * {@code ballot.dev/<kind>-id: "<request id>"}. Without an id the value is the id: applying the same annotation again
 * (GitOps, a repeated {@code kubectl annotate}) asks for nothing new; a new id asks again.
 */
public record ActionRequest(ActionKind kind, String target, String requestId) {
    public static final String PREFIX = "ballot.dev/";
    public static final String ID_SUFFIX = "-id";

    /** The requests the annotations carry, in {@link ActionKind} order. */
    public static List<ActionRequest> fromAnnotations(Map<String, String> annotations) {
        List<ActionRequest> out = new ArrayList<>();
        if (annotations == null) {
            return out;
        }
        for (ActionKind kind : ActionKind.values()) {
            String value = annotations.get(kind.annotation());
            if (value == null) {
                continue;
            }
            String id = annotations.get(kind.idAnnotation());
            String target = value.trim();
            out.add(new ActionRequest(kind, target, id == null || id.isBlank() ? target : id.trim()));
        }
        return out;
    }
}
