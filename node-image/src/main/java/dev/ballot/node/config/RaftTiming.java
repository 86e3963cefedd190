package dev.ballot.node.config;

import java.time.Duration;

/** Raft timing from the config; the node turns it into ticks of {@link NodeConfig#TICK}. */
public record RaftTiming(Duration electionTimeoutMin, Duration electionTimeoutMax, Duration heartbeatInterval) {
    /** The seed's values: 150-300 ms election timeout, 50 ms heartbeat. */
    public static final RaftTiming DEFAULTS =
            new RaftTiming(Duration.ofMillis(150), Duration.ofMillis(300), Duration.ofMillis(50));

    public int electionTicksMin(Duration tick) {
        return NodeConfig.ticks(electionTimeoutMin, tick);
    }

    public int electionTicksMax(Duration tick) {
        return NodeConfig.ticks(electionTimeoutMax, tick);
    }

    public int heartbeatTicks(Duration tick) {
        return NodeConfig.ticks(heartbeatInterval, tick);
    }
}
