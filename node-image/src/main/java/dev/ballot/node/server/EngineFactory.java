package dev.ballot.node.server;

import dev.ballot.engine.ConsensusNode;
import dev.ballot.engine.Member;
import dev.ballot.engine.Membership;
import dev.ballot.engine.PersistedState;
import dev.ballot.engine.Protocol;
import dev.ballot.engine.RandomSource;
import dev.ballot.engine.raft.RaftNode;
import dev.ballot.engine.raft.RaftOptions;
import dev.ballot.engine.zab.ZabNode;
import dev.ballot.engine.zab.ZabOptions;
import dev.ballot.node.config.NodeConfig;
import dev.ballot.node.config.PeerSpec;

import java.util.ArrayList;
import java.util.List;

/** Builds the engine a configuration asks for, with its timing turned into 10 ms ticks. */
public final class EngineFactory {
    private EngineFactory() {
    }

    /** The configured members as the engine's bootstrap configuration (ZAB addresses keep both ports). */
    public static Membership membership(NodeConfig config) {
        List<Member> members = new ArrayList<>();
        for (PeerSpec p : config.members()) {
            members.add(new Member(p.id(), p.kind(), peerAddress(p)));
        }
        return Membership.of(members);
    }

    public static String peerAddress(PeerSpec p) {
        return p.electionAddress() == null ? p.peerAddress().toString()
                : p.peerAddress() + ":" + p.electionAddress().port();
    }

    /**
     * @param seed randomness for election timeouts; must differ between members and restarts, or
     *             members would time out together and split votes
     */
    public static ConsensusNode create(NodeConfig config, PersistedState persisted, long seed) {
        Membership initial = membership(config);
        RandomSource random = RandomSource.seeded(seed);
        if (config.protocol() == Protocol.RAFT) {
            RaftOptions options = RaftOptions.builder(config.nodeId(), initial)
                    .electionTicks(config.raft().electionTicksMin(NodeConfig.TICK), config.raft().electionTicksMax(NodeConfig.TICK))
                    .heartbeatTicks(config.raft().heartbeatTicks(NodeConfig.TICK))
                    .random(random)
                    .build();
            return RaftNode.create(options, persisted);
        }
        ZabOptions options = ZabOptions.builder(config.nodeId(), initial)
                .tickTime(config.zab().ticksPerZabTick(NodeConfig.TICK))
                .initLimit(config.zab().initLimit())
                .syncLimit(config.zab().syncLimit())
                .random(random)
                .build();
        return ZabNode.create(options, persisted);
    }
}
