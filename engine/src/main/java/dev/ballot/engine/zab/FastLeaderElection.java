package dev.ballot.engine.zab;

import dev.ballot.engine.quorum.Quorum;
import dev.ballot.engine.zab.ZabMessage.Elect;
import dev.ballot.engine.zab.ZabMessage.FollowerInfo;
import dev.ballot.engine.zab.ZabMessage.Notification;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * ZAB's first phase, as ZooKeeper's FastLeaderElection: a LOOKING server proposes itself and adopts any better vote
 * (epoch, then last zxid, then server id); a higher round restarts its tally. When a quorum of voters backs its
 * proposal it waits {@code finalizeWait} ticks for a better vote, then settles. FOLLOWING and LEADING servers answer
 * a LOOKING one with their leader, so a returning server joins instead of disrupting; it follows only once a quorum
 * names the leader and the leader itself says LEADING. Settling hands over to {@link Discovery}. Notifications carry
 * the sender's configuration and its version, and a LOOKING server takes a newer one from a LEADING or FOLLOWING
 * server ({@link ConfigGossip}), so a server started with a stale configuration still finds the ensemble.
 */
final class FastLeaderElection {
    private final ZabNode n;

    private long logicalClock;
    private Vote proposal = Vote.NONE;
    private Vote currentVote = Vote.NONE;
    private long designated;
    /** The round the leader we follow was elected in (its notifications after that mean it gave up). */
    private long leaderRound;
    private final Map<Long, Vote> recvset = new TreeMap<>();
    private final Map<Long, Notification> outOfElection = new TreeMap<>();
    private final Map<Long, FollowerInfo> earlyFollowers = new TreeMap<>();
    private int finalizeLeft = -1;
    private int notifyLeft;
    /**
     * Ticks between re-sent notifications while LOOKING: like ZooKeeper's notTimeout it starts at finalizeWait and
     * doubles up to tickTime, so a vote lost while a peer was still following is re-sent quickly.
     */
    private int notifyInterval;

    FastLeaderElection(ZabNode node) {
        this.n = node;
    }

    /** The election round (ZooKeeper's logicalclock). */
    long round() {
        return logicalClock;
    }

    /** A learner settled on us before our own finalize wait ended: kept for {@link #takeEarlyFollowers}. */
    void keepEarlyFollower(FollowerInfo m) {
        earlyFollowers.put(m.from(), m);
    }

    List<FollowerInfo> takeEarlyFollowers() {
        List<FollowerInfo> early = List.copyOf(earlyFollowers.values());
        earlyFollowers.clear();
        return early;
    }

    private Vote selfVote() {
        return new Vote(n.id, n.log.lastZxid(), n.currentEpoch);
    }

    boolean beats(Vote candidate, Vote current) {
        return Vote.beats(candidate, current, designated, n.opt.hasMutant(ZabMutant.VOTE_IGNORES_ZXID));
    }

    /** Turn LOOKING in round {@code round} (or the next), voting for {@code candidate} if it beats our own vote. */
    void startLooking(long round, long designatedTarget, Vote candidate) {
        n.state = ServerState.LOOKING;
        n.leaderId = 0;
        n.serving = false;
        n.learners.clear();
        n.discovery.forgetEpochOffers();
        n.broadcast.forgetReadsAndTransfer();
        currentVote = Vote.NONE;
        logicalClock = Math.max(logicalClock + 1, round);
        designated = designatedTarget;
        recvset.clear();
        outOfElection.clear();
        earlyFollowers.clear();
        finalizeLeft = -1;
        if (n.membership.isVoter(n.id)) {
            proposal = selfVote();
            if (candidate != null && beats(candidate, proposal)) {
                proposal = candidate;
            }
            recvset.put(n.id, proposal);
        } else {
            proposal = Vote.NONE;
        }
        // Even a server outside its own (possibly stale) configuration looks: a new member learns
        // its configuration only by joining the leader, and may already count as a voter for others.
        notifyInterval = Math.max(1, Math.min(n.opt.tickTime(), n.opt.finalizeWait()));
        sendNotifications();
        checkTermination();
    }

    void tick() {
        if (finalizeLeft > 0 && --finalizeLeft == 0) {
            finalizeLeft = -1;
            if (tally(recvset, proposal) >= Quorum.majority(n.membership.voterIds().size())) {
                leaderRound = logicalClock;
                decide(proposal);
                return;
            }
        }
        if (--notifyLeft <= 0) {
            notifyInterval = Math.min(n.opt.tickTime(), notifyInterval * 2);
            sendNotifications();
        }
    }

    private void sendNotifications() {
        notifyLeft = notifyInterval;
        for (long v : n.membership.voterIds()) {
            if (v != n.id) {
                n.send(notification(v, proposal, ServerState.LOOKING));
            }
        }
    }

    private Notification notification(long to, Vote vote, ServerState as) {
        if (as != ServerState.LEADING && as != ServerState.FOLLOWING) {
            // Only a working ensemble's configuration is ever taken (ConfigGossip); a looker's notification stays in
            // the shorter form, which a node of the previous version still reads.
            return new Notification(n.id, to, vote.leader(), vote.zxid(), vote.epoch(), logicalClock, as, designated);
        }
        return new Notification(n.id, to, vote.leader(), vote.zxid(), vote.epoch(), logicalClock, as, designated,
                n.configVersion(), n.membership);
    }

    void onNotification(Notification m) {
        if (ConfigGossip.refusal(n.state, n.configVersion(), n.membership, m) == null) {
            // A working ensemble runs a newer configuration than ours: take it and look again under it (ZooKeeper
            // restarts its election), then count this very notification, so a LEADING sender is followed at once.
            n.learnConfig(m.config(), m.configVersion());
            startLooking(logicalClock, designated, null);
            if (n.state != ServerState.LOOKING) {
                return;
            }
        }
        if (n.state != ServerState.LOOKING) {
            if (m.state() != ServerState.LOOKING) {
                return;
            }
            // LOOKING from the leader we follow, in a later round than the one it was elected in:
            // it gave up (lost its quorum, or hands over), so look now instead of timing out.
            boolean myLeaderGaveUp = (n.state == ServerState.FOLLOWING || n.state == ServerState.OBSERVING)
                    && m.from() == n.leaderId && m.round() > leaderRound;
            // A fellow voter already gave up on the leader and we have not heard from it for half the
            // timeout either: join the election now rather than one ping interval later.
            boolean peerLostLeader = n.state == ServerState.FOLLOWING && m.from() != n.leaderId
                    && n.membership.isVoter(m.from()) && n.ticksSinceLeader * 2 >= n.opt.syncTimeoutTicks();
            boolean outvoted = n.state == ServerState.LEADING && n.leaderPhase == ZabNode.LeaderPhase.DISCOVERY
                    && m.round() == logicalClock && n.membership.isVoter(m.from()) && beats(m.vote(), currentVote);
            if (outvoted) {
                // We settled before a better vote of the same round reached us, and nobody can have
                // acknowledged an epoch from us yet: look again rather than wait for a quorum that
                // is going elsewhere. The next round starts from the better vote, so it converges.
                startLooking(0, m.designated(), m.vote());
            } else if (myLeaderGaveUp || peerLostLeader) {
                startLooking(m.round(), m.designated(), null);
            } else {
                n.send(notification(m.from(), currentVote, n.state));
                return;
            }
        }
        boolean senderVotes = n.membership.isVoter(m.from());
        if (m.state() == ServerState.LOOKING) {
            if (!senderVotes) {
                // Voters answer learners; two non-voters never answer each other (no ping-pong).
                if (n.membership.isVoter(n.id)) {
                    n.send(notification(m.from(), proposal, ServerState.LOOKING));
                }
                return;
            }
            if (m.round() > logicalClock) {
                logicalClock = m.round();
                recvset.clear();
                designated = m.designated();
                Vote self = n.membership.isVoter(n.id) ? selfVote() : Vote.NONE;
                proposal = beats(m.vote(), self) ? m.vote() : self;
                recvset.put(n.id, proposal);
                finalizeLeft = -1;
                sendNotifications();
            } else if (m.round() < logicalClock) {
                n.send(notification(m.from(), proposal, ServerState.LOOKING));
                return;
            } else {
                if (designated == 0 && m.designated() != 0) {
                    designated = m.designated();
                }
                if (beats(m.vote(), proposal)) {
                    proposal = m.vote();
                    recvset.put(n.id, proposal);
                    finalizeLeft = -1;
                    sendNotifications();
                }
            }
            recvset.put(m.from(), m.vote());
            checkTermination();
            return;
        }
        if (!senderVotes || m.state() == ServerState.OBSERVING) {
            return;
        }
        if (m.round() == logicalClock) {
            recvset.put(m.from(), m.vote());
            if (tally(recvset, m.vote()) >= Quorum.majority(n.membership.voterIds().size())
                    && leaderConfirmed(m.leader(), m.round())) {
                Notification fromLeader = outOfElection.get(m.leader());
                leaderRound = fromLeader != null ? fromLeader.round() : logicalClock;
                decide(m.vote());
                return;
            }
        }
        outOfElection.put(m.from(), m);
        long backers = n.membership.voterIds().stream()
                .filter(v -> outOfElection.containsKey(v) && outOfElection.get(v).leader() == m.leader())
                .count();
        if (backers >= Quorum.majority(n.membership.voterIds().size()) && leaderConfirmed(m.leader(), -1)) {
            logicalClock = Math.max(logicalClock, m.round());
            leaderRound = outOfElection.get(m.leader()).round();
            decide(m.vote());
        }
    }

    /** ZooKeeper's checkLeader: never follow a leader that has not itself said it is LEADING. */
    private boolean leaderConfirmed(long leader, long round) {
        if (leader == n.id) {
            return round == logicalClock;
        }
        Notification fromLeader = outOfElection.get(leader);
        return fromLeader != null && fromLeader.state() == ServerState.LEADING;
    }

    private int tally(Map<Long, Vote> votes, Vote vote) {
        int count = 0;
        for (long v : n.membership.voterIds()) {
            if (vote.equals(votes.get(v))) {
                count++;
            }
        }
        return count;
    }

    private void checkTermination() {
        if (!n.membership.isVoter(n.id) || n.state != ServerState.LOOKING) {
            return;
        }
        int voters = n.membership.voterIds().size();
        int backers = tally(recvset, proposal);
        if (backers < Quorum.majority(voters)) {
            finalizeLeft = -1;
            return;
        }
        if (backers == voters || n.opt.finalizeWait() == 0) {
            leaderRound = logicalClock;
            decide(proposal);
        } else if (finalizeLeft < 0) {
            finalizeLeft = n.opt.finalizeWait();
        }
    }

    private void decide(Vote vote) {
        finalizeLeft = -1;
        currentVote = vote;
        recvset.clear();
        outOfElection.clear();
        if (vote.leader() == n.id) {
            // A leader leads its own history, configuration included (as a learner takes its leader's at NEWLEADER):
            // a configuration only heard of in a notification is not in our log, so it is not ours to lead.
            n.forgetLearnedConfig();
            if (n.membership.isVoter(n.id)) {
                n.discovery.becomeLeader();
            }
            return;
        }
        n.discovery.becomeLearner(vote.leader());
    }

    /** Our leader hands over (a leadership transfer): join its round at once, voting for the target. */
    void onElect(Elect m) {
        if (!n.fromMyLeader(m) || m.epoch() != n.currentEpoch) {
            return;
        }
        startLooking(m.round(), m.target(), new Vote(m.target(), m.zxid(), m.targetEpoch()));
    }
}
