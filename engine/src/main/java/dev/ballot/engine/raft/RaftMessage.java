package dev.ballot.engine.raft;

import dev.ballot.engine.LogEntry;
import dev.ballot.engine.Message;
import dev.ballot.engine.Snapshot;

import java.util.List;

/** Every message Raft members exchange. {@code term} is the sender's term (a pre-vote request carries the term it would campaign in). */
public sealed interface RaftMessage extends Message {
    long term();

    /** RequestVote, or its pre-vote rehearsal. {@code transfer} marks a campaign ordered by TimeoutNow: it ignores leases. */
    record RequestVote(long from, long to, long term, long lastLogIndex, long lastLogTerm, boolean preVote,
                       boolean transfer) implements RaftMessage {
    }

    record VoteResponse(long from, long to, long term, boolean preVote, boolean granted) implements RaftMessage {
    }

    record AppendEntries(long from, long to, long term, long prevIndex, long prevTerm, long commit,
                         List<LogEntry> entries) implements RaftMessage {
        public AppendEntries {
            entries = List.copyOf(entries);
        }
    }

    /**
     * On success {@code index} is the follower's last index matching the leader. On reject {@code index} is the
     * rejected prevIndex, and ({@code rejectHint}, {@code hintTerm}) let the leader skip a whole divergent term.
     */
    record AppendResponse(long from, long to, long term, boolean reject, long index, long rejectHint,
                          long hintTerm) implements RaftMessage {
    }

    /** {@code context} is 0, or the id of a ReadIndex round the follower must echo. */
    record Heartbeat(long from, long to, long term, long commit, long context) implements RaftMessage {
    }

    record HeartbeatResponse(long from, long to, long term, long context) implements RaftMessage {
    }

    record InstallSnapshot(long from, long to, long term, Snapshot snapshot) implements RaftMessage {
    }

    /** Orders the target of a leadership transfer to campaign at once. */
    record TimeoutNow(long from, long to, long term) implements RaftMessage {
    }
}
