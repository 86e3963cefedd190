package dev.ballot.node.server;

import dev.ballot.engine.Protocol;
import dev.ballot.engine.sim.ProtocolAdapters;
import dev.ballot.engine.sim.Simulation;
import java.util.logging.Logger;

/**
 * Runs this member's consensus engine code once at start, on a simulated cluster of its own (the engine's simulator:
 * pure, in memory, no I/O), so that a member's first election as a winner does not load, link and interpret the
 * leader's code while its followers wait. Measured on a frozen leader's failover in the bench (docs/bench.md, "The
 * freeze path"): a restarted member that won its first election took 30-70 ms from its winning vote to leading, against
 * 13-25 ms for one that had led before, the difference spent loading classes (the leader's progress tracking, lambdas,
 * streams) in the interpreter. The run takes about 150-200 ms of one core, once, on a daemon thread (its minimum
 * priority is a hint that Linux ignores by default: it competes with the member's start-up like any thread).
 */
public final class EngineWarmUp {
    private static final Logger LOG = Logger.getLogger(EngineWarmUp.class.getName());
    /** Enough simulated events for elections, replication and a leader change in both protocols. */
    static final int STEPS = 1000;
    private static final long SEED = 1;

    private EngineWarmUp() {
    }

    /** Starts the warm-up; returns its thread (a daemon: it never holds the process up). */
    public static Thread start(Protocol protocol) {
        Thread t = new Thread(() -> run(protocol), "ballot-engine-warm-up");
        t.setDaemon(true);
        t.setPriority(Thread.MIN_PRIORITY);
        t.start();
        return t;
    }

    /** The simulation's outcome is not used: only that the code ran. A failure here never stops the member. */
    static Simulation.Outcome run(Protocol protocol) {
        long started = System.nanoTime();
        try {
            Simulation.Outcome o = new Simulation(ProtocolAdapters.forProtocol(protocol), SEED, STEPS, null).run();
            LOG.fine(() -> "engine warm-up (" + protocol.wireName() + ", " + o.elections() + " elections, " + o.commits()
                    + " commits) took " + (System.nanoTime() - started) / 1_000_000 + " ms");
            return o;
        } catch (RuntimeException e) {
            LOG.warning("engine warm-up failed (the member runs without it): " + e);
            return null;
        }
    }
}
