package dev.ballot.node.server;

import dev.ballot.engine.Membership;
import dev.ballot.engine.NodeStatus;

import java.time.Instant;

/**
 * What the driver publishes after every step: the engine's status plus what only the driver knows.
 *
 * @param leaderSince          when this node first saw the current leader (null when none)
 * @param leaderContactNanos   System.nanoTime() of the last message from the current leader (or now, on the leader)
 * @param failure              why the driver stopped, null while it runs
 */
public record RuntimeStatus(NodeStatus node, Membership membership, Instant leaderSince, long leaderContactNanos,
                            long publishedNanos, String failure) {

    /** True when role, term, leader or membership differ: what the event stream announces. */
    public boolean differsVisiblyFrom(RuntimeStatus other) {
        if (other == null) {
            return true;
        }
        NodeStatus a = node;
        NodeStatus b = other.node;
        return !a.role().equals(b.role()) || a.term() != b.term() || a.leaderId() != b.leaderId()
                || !membership.equals(other.membership) || (failure == null) != (other.failure == null);
    }

    public boolean isLeader() {
        return node.isLeader();
    }

    public long leaderId() {
        return node.leaderId();
    }

    /** Milliseconds since this node last heard from its leader; 0 on the leader, -1 with no leader. */
    public long millisSinceLeaderContact() {
        if (node.leaderId() == 0) {
            return -1;
        }
        if (node.isLeader()) {
            return 0;
        }
        return Math.max(0, (System.nanoTime() - leaderContactNanos) / 1_000_000);
    }
}
