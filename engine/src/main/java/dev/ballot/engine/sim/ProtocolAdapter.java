package dev.ballot.engine.sim;

import dev.ballot.engine.ConsensusNode;
import dev.ballot.engine.Membership;
import dev.ballot.engine.MembershipChange;
import dev.ballot.engine.MessageCodec;
import dev.ballot.engine.PersistedState;
import dev.ballot.engine.Protocol;
import dev.ballot.engine.RandomSource;

import java.util.List;

/** What the simulator needs from one protocol: how to start its nodes, its codec, and its invariants. */
public interface ProtocolAdapter {
    Protocol protocol();

    /**
     * Start a node, or restart it from its disk ({@link PersistedState#EMPTY} on a first start). {@code initial} is
     * the bootstrap configuration every node is given; {@code mutant} is null or one of {@link #mutants()}.
     */
    ConsensusNode start(long id, Membership initial, PersistedState state, RandomSource random, String mutant);

    MessageCodec codec();

    /** A fresh checker for one seed's run. */
    InvariantChecker newChecker();

    /** Names accepted by {@code --mutant}; each switches in one deliberate bug. */
    List<String> mutants();

    /** How a non-voting member is added: ADD_LEARNER (Raft) or ADD_OBSERVER (ZAB). */
    MembershipChange.Type addNonVoter();

    /** The term (Raft) or epoch (ZAB) in which {@code node} leads, or -1 when it does not lead. Cheap: called after every event. */
    default long leaderTerm(ConsensusNode node) {
        var s = node.status();
        return s.isLeader() ? s.term() : -1;
    }

    /** Ticks within which a healed cluster must elect a leader and commit a proposal. */
    default int livenessTicks() {
        return 500;
    }
}
