package dev.ballot.engine.sim;

import dev.ballot.engine.ConsensusNode;
import dev.ballot.engine.kv.KvStateMachine;

import java.util.LinkedHashMap;
import java.util.Map;

/** One simulated process: its engine while it runs, its disk across crashes, its key-value state machine. */
final class SimNode {
    final long id;
    final SimDisk disk = new SimDisk();
    ConsensusNode engine;
    boolean up;
    int generation;
    boolean readyScheduled;
    /** A stalled process (a long GC pause, a frozen VM): it neither ticks nor handles anything until then. */
    long pausedUntil;
    KvStateMachine sm = new KvStateMachine();
    long lastApplied;
    /** Reads this node's engine released, by request id, waiting until the state machine reached their index. */
    final Map<Long, Long> readIndexes = new LinkedHashMap<>();

    SimNode(long id) {
        this.id = id;
    }
}
