package dev.ballot.node.config;

import java.time.Duration;

/**
 * ZooKeeper timing: {@code tickTime} is ZooKeeper's basic unit; followers must connect and sync within
 * {@code initLimit} ticks and stay within {@code syncLimit} ticks of the leader.
 */
public record ZabTiming(Duration tickTime, int initLimit, int syncLimit) {
    public Duration initTimeout() {
        return tickTime.multipliedBy(initLimit);
    }

    public Duration syncTimeout() {
        return tickTime.multipliedBy(syncLimit);
    }

    /** ZooKeeper's tickTime in node ticks (the node ticks every {@code tick}). */
    public int ticksPerZabTick(Duration tick) {
        return NodeConfig.ticks(tickTime, tick);
    }
}
