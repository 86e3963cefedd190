package dev.ballot.operator.reconciler;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.util.function.UnaryOperator;

/**
 * Edits a resource the running operator may be writing at the same moment, as {@code kubectl edit} does: an edit
 * carries the resourceVersion it read, so a status write landing between the read and the patch makes it 409; the
 * edit is then read and applied again. Bounded: a conflict that persists is a real failure.
 */
final class ConflictRetry {
    private static final int ATTEMPTS = 5;

    private ConflictRetry() {
    }

    static <T extends HasMetadata> T edit(Resource<T> resource, UnaryOperator<T> change) {
        for (int attempt = 1; ; attempt++) {
            try {
                return resource.edit(change);
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409 || attempt == ATTEMPTS) {
                    throw e;
                }
            }
        }
    }
}
