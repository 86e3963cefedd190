package dev.ballot.operator.reconciler;

import dev.ballot.operator.api.ElectionCluster;
import dev.ballot.operator.desired.DesiredChildren;
import io.javaoperatorsdk.operator.api.reconciler.Context;

/**
 * How the dependents get the children the decision built for this reconcile: a typed entry in the workflow context,
 * keyed by this class's one instance (no string key to misspell, no second build of the children).
 */
final class ChildrenKey {
    private static final ChildrenKey KEY = new ChildrenKey();

    private ChildrenKey() {
    }

    static void put(Context<ElectionCluster> context, DesiredChildren children) {
        context.managedWorkflowAndDependentResourceContext().put(KEY, children);
    }

    /** The children of this reconcile; the workflow runs only after {@link #put}. */
    static DesiredChildren get(Context<ElectionCluster> context) {
        return context.managedWorkflowAndDependentResourceContext().get(KEY, DesiredChildren.class)
                .orElseThrow(() -> new IllegalStateException("the managed workflow ran before the reconciler "
                        + "decided the children: ElectionClusterReconciler must put them first"));
    }
}
