package dev.ballot.engine.sim;

import dev.ballot.engine.MalformedMessageException;
import dev.ballot.engine.Message;
import dev.ballot.engine.MessageCodec;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The simulated network: every message goes through the protocol's codec (and must survive the round trip), then
 * may be dropped, duplicated, delayed and reordered, or cut by a partition. Delivery waits while the receiver is
 * paused, as bytes wait in a socket buffer.
 */
final class SimNetwork {
    private final Simulation sim;
    private final MessageCodec codec;
    private final Set<Long> blocked = new HashSet<>();
    double dropRate;
    double dupRate;

    SimNetwork(Simulation sim, MessageCodec codec) {
        this.sim = sim;
        this.codec = codec;
    }

    private static long link(long from, long to) {
        return from * 1024 + to;
    }

    boolean isBlocked(long from, long to) {
        return blocked.contains(link(from, to));
    }

    void cut(long from, long to) {
        blocked.add(link(from, to));
    }

    void healAll() {
        blocked.clear();
    }

    /** The cut links, as {@code from>to}, for the trace. */
    List<String> cutLinks() {
        List<String> cut = new ArrayList<>();
        for (long code : new TreeSet<>(blocked)) {
            cut.add((code / 1024) + ">" + (code % 1024));
        }
        return cut;
    }

    void send(Message m) {
        byte[] bytes = codec.encode(m);
        Message back;
        try {
            back = codec.decode(bytes);
        } catch (MalformedMessageException e) {
            throw new InvariantViolation("codec", "cannot decode what it encoded: " + m + ": " + e.getMessage());
        }
        if (!Arrays.equals(codec.encode(back), bytes)) {
            throw new InvariantViolation("codec", "round trip changed " + m + " into " + back);
        }
        if (isBlocked(m.from(), m.to()) || sim.rnd.nextDouble() < dropRate) {
            return;
        }
        int copies = sim.rnd.nextDouble() < dupRate ? 2 : 1;
        for (int i = 0; i < copies; i++) {
            long delay = sim.rnd.nextInt(20) == 0 ? 20 + sim.rnd.nextInt(80) : 1 + sim.rnd.nextInt(8);
            sim.schedule(delay, () -> deliver(back));
        }
    }

    private void deliver(Message m) {
        SimNode n = sim.nodes.get(m.to());
        if (n == null || !n.up || isBlocked(m.from(), m.to())) {
            return;
        }
        if (sim.now < n.pausedUntil) {
            // The bytes wait in the socket buffer until the process runs again.
            sim.schedule(n.pausedUntil - sim.now + sim.rnd.nextInt(3), () -> deliver(m));
            return;
        }
        sim.note("deliver", m, null);
        n.engine.step(m);
        sim.touched(n);
    }
}
