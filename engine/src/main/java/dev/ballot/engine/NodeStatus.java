package dev.ballot.engine;

import java.util.List;

/**
 * What a node knows about itself and the cluster; the node's {@code /v1/status} and the operator's
 * view are built from it. {@code role} uses the wire names of NODE-API.md (Raft: follower,
 * candidate, precandidate, leader, learner; ZAB: looking, following, leading, observing).
 * {@code term} is the Raft term or the ZAB current epoch; indexes are zxids for ZAB.
 */
public record NodeStatus(long id, Protocol protocol, String role, long term, long leaderId,
                         long commitIndex, long appliedIndex, long lastLogIndex,
                         List<MemberProgress> members) {
    public NodeStatus {
        members = List.copyOf(members);
    }

    public boolean isLeader() {
        return leaderId == id && leaderId != 0;
    }
}
