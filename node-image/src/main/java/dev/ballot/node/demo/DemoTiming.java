package dev.ballot.node.demo;

import java.time.Duration;

/**
 * The protocol timing a demo cluster runs with. Raft defaults are the seed's (150-300 ms election
 * timeout, 50 ms heartbeat); ZAB uses a comparable tickTime of 50 ms with syncLimit 4, so a
 * follower gives up on a silent leader after 200 ms.
 */
public record DemoTiming(Duration electionMin, Duration electionMax, Duration heartbeat,
                         Duration zabTick, int initLimit, int syncLimit) {
    public static final DemoTiming SEED = new DemoTiming(Duration.ofMillis(150), Duration.ofMillis(300),
            Duration.ofMillis(50), Duration.ofMillis(50), 10, 4);

    public String describe(dev.ballot.engine.Protocol protocol) {
        return protocol == dev.ballot.engine.Protocol.RAFT
                ? "election_timeout=" + electionMin.toMillis() + "-" + electionMax.toMillis() + "ms heartbeat="
                + heartbeat.toMillis() + "ms"
                : "tickTime=" + zabTick.toMillis() + "ms initLimit=" + initLimit + " syncLimit=" + syncLimit;
    }
}
