package dev.ballot.operator.status;

import java.util.List;
import java.util.Set;

/**
 * What Kubernetes says about one member pod. {@code waiting}: the containers that report the state "waiting", in the
 * pod's order; {@code uid}: the pod's uid (null when unknown), which tells a restarted pod from the one before.
 */
public record PodView(String name, String revision, boolean ready, boolean terminating, List<Waiting> waiting,
                      String uid) {
    /** Container waiting reasons that need a human: the pod never starts by itself. */
    static final Set<String> PROBLEMS = Set.of("ErrImagePull", "ImagePullBackOff", "InvalidImageName",
            "CreateContainerConfigError", "CreateContainerError");

    /** A container's waiting reason and message (null when it gives none). */
    public record Waiting(String reason, String message) {
    }

    public PodView {
        waiting = List.copyOf(waiting);
    }

    public PodView(String name, String revision, boolean ready, boolean terminating, List<Waiting> waiting) {
        this(name, revision, ready, terminating, waiting, null);
    }

    /** A pod with no container waiting. */
    public PodView(String name, String revision, boolean ready, boolean terminating) {
        this(name, revision, ready, terminating, List.of());
    }

    /** Ready and not terminating: its member should answer. */
    public boolean serves() {
        return ready && !terminating;
    }

    /** The last waiting reason (with its message) that needs a human (a pull or config error), else null. */
    public String problem() {
        String problem = null;
        for (Waiting w : waiting) {
            if (w.reason() != null && PROBLEMS.contains(w.reason())) {
                problem = w.reason() + (w.message() == null ? "" : " (" + w.message() + ")");
            }
        }
        return problem;
    }
}
