package dev.ballot.operator.status;

import io.fabric8.kubernetes.api.model.Condition;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** The five condition types and how a new set keeps the transition times of unchanged conditions. */
public final class StatusConditions {
    public static final String READY = "Ready";
    public static final String AVAILABLE = "Available";
    public static final String RECONCILING = "Reconciling";
    public static final String STALLED = "Stalled";
    public static final String DEGRADED = "Degraded";
    public static final List<String> TYPES = List.of(READY, AVAILABLE, RECONCILING, STALLED, DEGRADED);

    private StatusConditions() {
    }

    public static Condition condition(String type, boolean status, long generation, String reason, String message) {
        return new Condition(null, message, generation, reason, status ? "True" : "False", type);
    }

    /**
     * Stamps {@code next} with transition times: a condition whose status did not change keeps its old
     * lastTransitionTime; a new or flipped one gets {@code now}.
     */
    public static List<Condition> withTransitionTimes(List<Condition> previous, List<Condition> next, Instant now) {
        List<Condition> out = new ArrayList<>();
        for (Condition c : next) {
            Condition old = find(previous, c.getType());
            String time = old != null && Objects.equals(old.getStatus(), c.getStatus())
                    && old.getLastTransitionTime() != null ? old.getLastTransitionTime() : now.toString();
            out.add(new Condition(time, c.getMessage(), c.getObservedGeneration(), c.getReason(), c.getStatus(),
                    c.getType()));
        }
        return out;
    }

    public static Condition find(List<Condition> conditions, String type) {
        if (conditions == null) {
            return null;
        }
        return conditions.stream().filter(c -> type.equals(c.getType())).findFirst().orElse(null);
    }

    public static boolean isTrue(List<Condition> conditions, String type) {
        Condition c = find(conditions, type);
        return c != null && "True".equals(c.getStatus());
    }

    /** The message of that condition, or null without one. */
    public static String messageOf(List<Condition> conditions, String type) {
        Condition c = find(conditions, type);
        return c == null ? null : c.getMessage();
    }

    /** The reason of that condition, or null without one. */
    public static String reasonOf(List<Condition> conditions, String type) {
        Condition c = find(conditions, type);
        return c == null ? null : c.getReason();
    }
}
