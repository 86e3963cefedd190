package dev.ballot.engine.sim;

import dev.ballot.engine.ConsensusNode;
import dev.ballot.engine.Membership;
import dev.ballot.engine.MembershipChange;
import dev.ballot.engine.MessageCodec;
import dev.ballot.engine.PersistedState;
import dev.ballot.engine.Protocol;
import dev.ballot.engine.RandomSource;
import dev.ballot.engine.raft.RaftCodec;
import dev.ballot.engine.raft.RaftMutant;
import dev.ballot.engine.raft.RaftNode;
import dev.ballot.engine.raft.RaftOptions;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/** Raft in the simulator, with the node program's defaults (10 ms ticks: election 15-30, heartbeat 5). */
public final class RaftAdapter implements ProtocolAdapter {
    private final RaftCodec codec = new RaftCodec();

    @Override
    public Protocol protocol() {
        return Protocol.RAFT;
    }

    @Override
    public ConsensusNode start(long id, Membership initial, PersistedState state, RandomSource random, String mutant) {
        Set<RaftMutant> mutants = EnumSet.noneOf(RaftMutant.class);
        if (mutant != null) {
            mutants.add(RaftMutant.fromWireName(mutant).orElseThrow(() -> new IllegalArgumentException(
                    "unknown Raft mutant '" + mutant + "'; known: " + mutants())));
        }
        RaftOptions options = RaftOptions.builder(id, initial).electionTicks(15, 30).heartbeatTicks(5)
                .preVote(true).checkQuorum(true).maxInflight(8).maxEntriesPerMessage(16).random(random)
                .mutants(mutants).build();
        return RaftNode.create(options, state);
    }

    @Override
    public MessageCodec codec() {
        return codec;
    }

    @Override
    public InvariantChecker newChecker() {
        return new RaftInvariants();
    }

    @Override
    public List<String> mutants() {
        return Arrays.stream(RaftMutant.values()).map(RaftMutant::wireName).toList();
    }

    @Override
    public MembershipChange.Type addNonVoter() {
        return MembershipChange.Type.ADD_LEARNER;
    }

    @Override
    public long leaderTerm(ConsensusNode node) {
        RaftNode n = (RaftNode) node;
        return n.isLeader() ? n.currentTerm() : -1;
    }
}
