package dev.ballot.engine.sim;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Linearizability of one register's history (Wing and Gong's search with Lowe's memo of visited configurations).
 * Keys of a key-value store are independent, so each key is checked alone and histories stay small.
 */
public final class LinearizabilityChecker {
    /** Response time of an operation whose outcome is unknown (a write the client gave up on). */
    public static final long NEVER = Long.MAX_VALUE;

    /** One client operation: a write of {@code value}, or a read that returned {@code value} (null: absent). */
    public record Op(boolean write, String value, long invoke, long response) {
        public static Op write(String value, long invoke, long response) {
            return new Op(true, value, invoke, response);
        }

        public static Op read(String value, long invoke, long response) {
            return new Op(false, value, invoke, response);
        }

        @Override
        public String toString() {
            return (write ? "write(" : "read->(") + value + ")[" + invoke + "," + (response == NEVER ? "?" : response) + "]";
        }
    }

    private record Visited(BitSet done, String value) {
    }

    private final List<Op> ops;
    private final Set<Visited> memo = new HashSet<>();
    private final int mustFinish;
    private long budget;

    private LinearizabilityChecker(List<Op> history, long budget) {
        this.ops = new ArrayList<>(history);
        this.ops.sort(Comparator.comparingLong(Op::invoke));
        this.mustFinish = (int) ops.stream().filter(o -> o.response() != NEVER).count();
        this.budget = budget;
    }

    /** Empty when the history of a register that starts absent is linearizable; otherwise why not. */
    public static Optional<String> check(List<Op> history) {
        LinearizabilityChecker c = new LinearizabilityChecker(history, 5_000_000);
        if (c.search(new BitSet(), null, 0)) {
            return Optional.empty();
        }
        if (c.budget <= 0) {
            return Optional.empty(); // too large to decide: never report a violation we have not proven
        }
        return Optional.of("no linearization of " + c.ops);
    }

    private boolean search(BitSet done, String value, int finished) {
        if (finished == mustFinish) {
            return true;
        }
        if (--budget <= 0) {
            return true;
        }
        long minResponse = NEVER;
        for (int i = done.nextClearBit(0); i < ops.size(); i = done.nextClearBit(i + 1)) {
            minResponse = Math.min(minResponse, ops.get(i).response());
        }
        for (int i = done.nextClearBit(0); i < ops.size(); i = done.nextClearBit(i + 1)) {
            Op op = ops.get(i);
            if (op.invoke() > minResponse) {
                break; // sorted by invocation: nothing later may go first
            }
            if (!op.write() && !Objects.equals(op.value(), value)) {
                continue;
            }
            String next = op.write() ? op.value() : value;
            BitSet d = (BitSet) done.clone();
            d.set(i);
            if (memo.add(new Visited(d, next))
                    && search(d, next, finished + (op.response() != NEVER ? 1 : 0))) {
                return true;
            }
        }
        return false;
    }
}
