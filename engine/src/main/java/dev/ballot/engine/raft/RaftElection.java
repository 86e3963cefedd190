package dev.ballot.engine.raft;

import dev.ballot.engine.quorum.Quorum;
import dev.ballot.engine.raft.RaftMessage.AppendEntries;
import dev.ballot.engine.raft.RaftMessage.Heartbeat;
import dev.ballot.engine.raft.RaftMessage.InstallSnapshot;
import dev.ballot.engine.raft.RaftMessage.RequestVote;
import dev.ballot.engine.raft.RaftMessage.VoteResponse;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * Elections: a campaign (with PreVote's rehearsal first), a (pre-)candidate's step (etcd-io/raft's stepCandidate)
 * tallying the answers, and every voter's answer to a vote request.
 */
final class RaftElection {
    private enum VoteResult { PENDING, WON, LOST }

    private final RaftNode n;
    private final TreeMap<Long, Boolean> votes = new TreeMap<>();
    /** Whether the campaign under way was started by TimeoutNow; its re-sent requests must say so again. */
    private boolean campaignTransfer;

    RaftElection(RaftNode node) {
        this.n = node;
    }

    void forgetVotes() {
        votes.clear();
    }

    void hup(boolean transfer) {
        if (n.role == RaftNode.Role.LEADER || !n.promotable()) {
            return;
        }
        campaign(n.opts.preVote() && !transfer, transfer);
    }

    private void campaign(boolean pre, boolean transfer) {
        long voteTerm;
        if (pre) {
            n.becomePreCandidate();
            voteTerm = n.term + 1;
        } else {
            n.becomeCandidate();
            voteTerm = n.term;
        }
        if (poll(n.id, true) == VoteResult.WON) {
            if (pre) {
                campaign(false, transfer);
            } else {
                n.becomeLeader();
            }
            return;
        }
        campaignTransfer = transfer;
        for (long voter : n.membership.voterIds()) {
            if (voter != n.id) {
                n.send(new RequestVote(n.id, voter, voteTerm, n.log.lastIndex(), n.log.lastTerm(), pre, transfer));
            }
        }
    }

    /**
     * A voter still inside its leader's lease drops a pre-vote request without answering; when its lease
     * runs out a few milliseconds later, nothing asks it again, and the campaign waits a whole new random
     * timeout (the slowest failovers in the 3-node demo). Asking the silent voters again every heartbeat
     * ends that wait. Requests are idempotent: a voter grants the same candidate again in the same term.
     */
    void resendVoteRequests() {
        boolean pre = n.role == RaftNode.Role.PRE_CANDIDATE;
        long voteTerm = pre ? n.term + 1 : n.term;
        for (long voter : n.membership.voterIds()) {
            if (voter != n.id && !votes.containsKey(voter)) {
                n.send(new RequestVote(n.id, voter, voteTerm, n.log.lastIndex(), n.log.lastTerm(), pre, campaignTransfer));
            }
        }
    }

    private VoteResult poll(long from, boolean granted) {
        if (n.membership.isVoter(from)) {
            votes.putIfAbsent(from, granted);
        }
        List<Long> voters = n.membership.voterIds();
        List<Long> yes = new ArrayList<>();
        List<Long> no = new ArrayList<>();
        votes.forEach((v, g) -> (g ? yes : no).add(v));
        if (Quorum.isMajority(voters, yes)) {
            return VoteResult.WON;
        }
        if (Quorum.isMajority(voters, no)) {
            return VoteResult.LOST;
        }
        return VoteResult.PENDING;
    }

    /** A (pre-)candidate's step: a leader of our term ends the campaign; votes are tallied. */
    void stepCandidate(RaftMessage m) {
        if (m instanceof AppendEntries ae) {
            n.becomeFollower(n.term, ae.from());
            n.follower.handleAppend(ae);
        } else if (m instanceof Heartbeat hb) {
            n.becomeFollower(n.term, hb.from());
            n.follower.handleHeartbeat(hb);
        } else if (m instanceof InstallSnapshot is) {
            n.becomeFollower(n.term, is.from());
            n.follower.handleSnapshot(is);
        } else if (m instanceof VoteResponse vr) {
            if (vr.preVote() != (n.role == RaftNode.Role.PRE_CANDIDATE)) {
                return;
            }
            VoteResult result = poll(vr.from(), vr.granted());
            if (result == VoteResult.WON) {
                if (n.role == RaftNode.Role.PRE_CANDIDATE) {
                    campaign(false, false);
                } else {
                    n.becomeLeader();
                }
            } else if (result == VoteResult.LOST) {
                n.becomeFollower(n.term, 0);
            }
        }
    }

    /**
     * Two followers whose timers fire within one round trip would grant each other's pre-votes, both
     * campaign in the same term, vote for themselves and split the vote: a whole extra random timeout
     * (about 40% of slow failovers in the 3-node demo). Between such rivals the more up-to-date log goes
     * on, and on equal logs the higher id; the other grants and stands down. Pre-votes decide nothing
     * (real votes keep every check), so this changes liveness only.
     */
    private void answerRivalPreCandidate(RequestVote rv) {
        boolean theirsAtLeastAsGood = n.log.isUpToDate(rv.lastLogIndex(), rv.lastLogTerm());
        boolean equalLogs = rv.lastLogIndex() == n.log.lastIndex() && rv.lastLogTerm() == n.log.lastTerm();
        if (!theirsAtLeastAsGood || equalLogs && rv.from() < n.id) {
            n.send(new VoteResponse(n.id, rv.from(), n.term, true, false));
            return;
        }
        n.send(new VoteResponse(n.id, rv.from(), rv.term(), true, true));
        n.becomeFollower(n.term, 0);
    }

    /** Any role's answer to a (pre-)vote request of a term not below ours. */
    void handleVoteRequest(RequestVote rv) {
        if (rv.preVote() && n.role == RaftNode.Role.PRE_CANDIDATE && !rv.transfer()) {
            answerRivalPreCandidate(rv);
            return;
        }
        boolean canVote = n.vote == rv.from() || (n.vote == 0 && n.lead == 0) || (rv.preVote() && rv.term() > n.term);
        if (n.opts.hasMutant(RaftMutant.VOTE_TWICE_IN_TERM) && !rv.preVote()) {
            canVote = n.lead == 0 || n.vote == rv.from();
        }
        boolean upToDate = n.opts.hasMutant(RaftMutant.VOTE_WITHOUT_LOG_CHECK)
                || n.log.isUpToDate(rv.lastLogIndex(), rv.lastLogTerm());
        if (canVote && upToDate) {
            n.send(new VoteResponse(n.id, rv.from(), rv.term(), rv.preVote(), true));
            if (!rv.preVote()) {
                n.electionElapsed = 0;
                n.vote = rv.from();
            }
        } else {
            n.send(new VoteResponse(n.id, rv.from(), n.term, rv.preVote(), false));
        }
    }
}
