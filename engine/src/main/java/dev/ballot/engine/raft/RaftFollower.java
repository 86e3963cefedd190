package dev.ballot.engine.raft;

import dev.ballot.engine.LogEntry;
import dev.ballot.engine.Snapshot;
import dev.ballot.engine.raft.RaftMessage.AppendEntries;
import dev.ballot.engine.raft.RaftMessage.AppendResponse;
import dev.ballot.engine.raft.RaftMessage.Heartbeat;
import dev.ballot.engine.raft.RaftMessage.HeartbeatResponse;
import dev.ballot.engine.raft.RaftMessage.InstallSnapshot;
import dev.ballot.engine.raft.RaftMessage.TimeoutNow;

import java.util.List;

/**
 * A follower's step (etcd-io/raft's stepFollower): the leader's appends, heartbeats and snapshots, and TimeoutNow
 * from a leader handing over. A candidate that hears a leader of its term becomes a follower and handles the
 * message here too.
 */
final class RaftFollower {
    private final RaftNode n;

    RaftFollower(RaftNode node) {
        this.n = node;
    }

    void step(RaftMessage m) {
        if (m instanceof AppendEntries ae) {
            n.electionElapsed = 0;
            n.lead = ae.from();
            handleAppend(ae);
        } else if (m instanceof Heartbeat hb) {
            n.electionElapsed = 0;
            n.lead = hb.from();
            handleHeartbeat(hb);
        } else if (m instanceof InstallSnapshot is) {
            n.electionElapsed = 0;
            n.lead = is.from();
            handleSnapshot(is);
        } else if (m instanceof TimeoutNow) {
            n.election.hup(true);
        }
    }

    void handleAppend(AppendEntries ae) {
        RaftLog log = n.log;
        if (ae.prevIndex() < log.committed) {
            n.send(new AppendResponse(n.id, ae.from(), n.term, false, log.committed, 0, 0));
            return;
        }
        long lastNew = maybeAppend(ae);
        if (lastNew >= 0) {
            n.send(new AppendResponse(n.id, ae.from(), n.term, false, lastNew, 0, 0));
        } else {
            long hint = log.findConflictByTerm(Math.min(ae.prevIndex(), log.lastIndex()), ae.prevTerm());
            n.send(new AppendResponse(n.id, ae.from(), n.term, true, ae.prevIndex(), hint, Math.max(0, log.term(hint))));
        }
    }

    private long maybeAppend(AppendEntries ae) {
        RaftLog log = n.log;
        if (!log.matchTerm(ae.prevIndex(), ae.prevTerm())) {
            return -1;
        }
        List<LogEntry> incoming = ae.entries();
        long lastNew = ae.prevIndex() + incoming.size();
        if (n.opts.hasMutant(RaftMutant.NO_TRUNCATE_ON_CONFLICT)) {
            for (LogEntry e : incoming) {
                if (e.index() > log.lastIndex()) {
                    n.appendReceived(e);
                }
            }
        } else {
            long conflict = log.findConflict(incoming);
            if (conflict != 0) {
                if (conflict <= log.committed) {
                    throw new IllegalStateException("node " + n.id + ": entry " + conflict
                            + " conflicts with a committed entry (commit " + log.committed + ")");
                }
                if (conflict <= log.lastIndex()) {
                    log.truncateFrom(conflict);
                    n.forgetConfigsFrom(conflict);
                }
                for (LogEntry e : incoming) {
                    if (e.index() >= conflict) {
                        n.appendReceived(e);
                    }
                }
            }
        }
        log.commitTo(Math.min(ae.commit(), lastNew));
        return lastNew;
    }

    void handleHeartbeat(Heartbeat hb) {
        n.log.commitTo(hb.commit());
        n.send(new HeartbeatResponse(n.id, hb.from(), n.term, hb.context()));
    }

    void handleSnapshot(InstallSnapshot is) {
        RaftLog log = n.log;
        Snapshot s = is.snapshot();
        if (s.index() <= log.committed) {
            n.send(new AppendResponse(n.id, is.from(), n.term, false, log.committed, 0, 0));
            return;
        }
        if (log.matchTerm(s.index(), s.term())) {
            // We already hold this prefix: just learn that it is committed.
            log.commitTo(s.index());
            n.send(new AppendResponse(n.id, is.from(), n.term, false, log.committed, 0, 0));
            return;
        }
        log.restore(s);
        n.restartConfigsFrom(s);
        n.send(new AppendResponse(n.id, is.from(), n.term, false, s.index(), 0, 0));
    }
}
