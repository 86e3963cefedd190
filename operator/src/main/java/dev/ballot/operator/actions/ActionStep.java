package dev.ballot.operator.actions;

/**
 * The one executor call an action asks for in a reconcile (the reconciler's ActionExecutor carries it out with the
 * rollout's code: the same transfer and the same uid-guarded pod delete).
 *
 * @param op     what to call
 * @param member the member the call goes to or is about (transfer: the leader that hands over; restart: the pod)
 * @param to     transfer: the member to hand leadership to; null otherwise
 * @param podUid restart, replace: the uid the pod must still have (never delete its replacement); null otherwise
 */
public record ActionStep(Op op, String member, String to, String podUid) {
    /** The executor's calls. */
    public enum Op {
        /** POST /v1/admin/transfer-leadership on {@code member} with {"to": to}. */
        TRANSFER_LEADERSHIP,
        /** Delete pod {@code member} if its uid is still {@code podUid}; the StatefulSet recreates it. */
        DELETE_POD,
        /**
         * While pod {@code member} still has uid {@code podUid}: delete the claim it mounts, then the pod; the
         * StatefulSet recreates both, the member starts empty.
         */
        DELETE_CLAIM_AND_POD,
        /**
         * Quorum-loss recovery: POST /v1/admin/force-new-cluster on {@code member} with the request id {@code to},
         * then delete its pod if its uid is still {@code podUid}, so it restarts as a one-member configuration.
         */
        FORCE_NEW_CLUSTER
    }

    public static ActionStep transfer(String leader, String to) {
        return new ActionStep(Op.TRANSFER_LEADERSHIP, leader, to, null);
    }

    public static ActionStep deletePod(String pod, String uid) {
        return new ActionStep(Op.DELETE_POD, pod, null, uid);
    }

    public static ActionStep deleteClaimAndPod(String pod, String uid) {
        return new ActionStep(Op.DELETE_CLAIM_AND_POD, pod, null, uid);
    }

    public static ActionStep forceNewCluster(String member, String requestId, String uid) {
        return new ActionStep(Op.FORCE_NEW_CLUSTER, member, requestId, uid);
    }
}
