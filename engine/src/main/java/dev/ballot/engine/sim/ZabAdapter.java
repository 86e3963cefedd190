package dev.ballot.engine.sim;

import dev.ballot.engine.ConsensusNode;
import dev.ballot.engine.Membership;
import dev.ballot.engine.MembershipChange;
import dev.ballot.engine.MessageCodec;
import dev.ballot.engine.PersistedState;
import dev.ballot.engine.Protocol;
import dev.ballot.engine.RandomSource;
import dev.ballot.engine.zab.ServerState;
import dev.ballot.engine.zab.ZabCodec;
import dev.ballot.engine.zab.ZabMutant;
import dev.ballot.engine.zab.ZabNode;
import dev.ballot.engine.zab.ZabOptions;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * ZAB in the simulator with the node demo's timing: tickTime 5 engine ticks (50 ms), initLimit 10,
 * syncLimit 4, so a follower gives up on a silent leader after 200 ms.
 */
public final class ZabAdapter implements ProtocolAdapter {
    public static final int TICK_TIME = 5;
    public static final int INIT_LIMIT = 10;
    public static final int SYNC_LIMIT = 4;

    private final ZabCodec codec = new ZabCodec();

    @Override
    public Protocol protocol() {
        return Protocol.ZAB;
    }

    @Override
    public ConsensusNode start(long id, Membership initial, PersistedState state, RandomSource random, String mutant) {
        Set<ZabMutant> mutants = EnumSet.noneOf(ZabMutant.class);
        if (mutant != null) {
            mutants.add(ZabMutant.fromWireName(mutant).orElseThrow(() -> new IllegalArgumentException(
                    "unknown ZAB mutant '" + mutant + "'; known: " + mutants())));
        }
        ZabOptions options = ZabOptions.builder(id, initial).tickTime(TICK_TIME).initLimit(INIT_LIMIT)
                .syncLimit(SYNC_LIMIT).random(random).mutants(mutants).build();
        return ZabNode.create(options, state);
    }

    @Override
    public MessageCodec codec() {
        return codec;
    }

    @Override
    public InvariantChecker newChecker() {
        return new ZabSimInvariants();
    }

    @Override
    public List<String> mutants() {
        return Arrays.stream(ZabMutant.values()).map(ZabMutant::wireName).toList();
    }

    @Override
    public MembershipChange.Type addNonVoter() {
        return MembershipChange.Type.ADD_OBSERVER;
    }

    /** The epoch of an established leader (a quorum acknowledged NEWLEADER), else -1. */
    @Override
    public long leaderTerm(ConsensusNode node) {
        ZabNode n = (ZabNode) node;
        return n.state() == ServerState.LEADING && n.serving() ? n.currentEpoch() : -1;
    }
}
