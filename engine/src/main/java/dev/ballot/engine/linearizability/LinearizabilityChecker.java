package dev.ballot.engine.linearizability;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Checks a recorded key-value history for linearizability: every key is a register (absent at first) that takes
 * writes, compare-and-sets and reads, and keys are independent, so each key is checked alone (porcupine's
 * partitioning; P-compositionality) and its search stays small. The search is Wing and Gong's, with Lowe's memo of
 * visited configurations (the set of ops already linearized, and the value they leave), as porcupine does.
 *
 * <p>The result is three-valued: {@link Verdict.Linearizable}, {@link Verdict.NotLinearizable} with the key and
 * its history, or {@link Verdict.Unknown} when the search for some key took more than its budget of steps. Only
 * the first is a pass. A proven violation on any key wins over an undecided key.
 *
 * <pre>{@code
 * List<KvOp> history = List.of(
 *         KvOp.write(1, "x", "a", Status.OK, 0, 10),
 *         KvOp.cas(2, "x", "a", "b", Status.INFO, 5, KvOp.NEVER),   // timed out: may or may not have happened
 *         KvOp.read(3, "x", "b", Status.OK, 20, 25));
 * Verdict v = LinearizabilityChecker.check(history);
 * if (!v.linearizable()) { ... report v (a NotLinearizable's witness(), an Unknown's reason()) ... }
 * }</pre>
 *
 * Pure and single-threaded, like the rest of the engine; it never reads a clock (the times are in the history).
 */
public final class LinearizabilityChecker {
    /** Search steps per key before the verdict is {@link Verdict.Unknown}; a few seconds of CPU at most. */
    public static final long DEFAULT_BUDGET = 5_000_000;

    private record Visited(BitSet done, String value) {
    }

    private final List<KvOp> ops;
    private final Set<Visited> memo = new HashSet<>();
    private final int mustFinish;
    private long budget;
    private boolean exhausted;
    private final int[] path;
    private int[] longest = new int[0];

    private LinearizabilityChecker(List<KvOp> keyHistory, long budget) {
        this.ops = new ArrayList<>(keyHistory);
        this.ops.sort(Comparator.comparingLong(KvOp::invoke));
        this.mustFinish = (int) ops.stream().filter(KvOp::mustHappen).count();
        this.budget = budget;
        this.path = new int[ops.size()];
    }

    /** {@link #check(List, long)} with {@link #DEFAULT_BUDGET} steps per key. */
    public static Verdict check(List<KvOp> history) {
        return check(history, DEFAULT_BUDGET);
    }

    /**
     * The verdict on {@code history} (any order; ops of any keys), spending at most {@code budgetPerKey} search
     * steps on each key. Failed ops and reads without an answer are left out: they cannot have changed or seen
     * anything.
     */
    public static Verdict check(List<KvOp> history, long budgetPerKey) {
        if (budgetPerKey < 1) {
            throw new IllegalArgumentException("budgetPerKey must be at least 1 search step, got " + budgetPerKey);
        }
        Map<String, List<KvOp>> byKey = new LinkedHashMap<>();
        int counted = 0;
        for (KvOp op : history) {
            if (op.matters()) {
                byKey.computeIfAbsent(op.key(), k -> new ArrayList<>()).add(op);
                counted++;
            }
        }
        Verdict.Unknown undecided = null;
        for (Map.Entry<String, List<KvOp>> e : byKey.entrySet()) {
            Verdict v = checkKey(e.getKey(), e.getValue(), budgetPerKey);
            if (v instanceof Verdict.NotLinearizable) {
                return v;
            }
            if (v instanceof Verdict.Unknown u && undecided == null) {
                undecided = u;
            }
        }
        return undecided != null ? undecided : new Verdict.Linearizable(byKey.size(), counted);
    }

    private static Verdict checkKey(String key, List<KvOp> keyOps, long budget) {
        LinearizabilityChecker c = new LinearizabilityChecker(keyOps, budget);
        if (c.search()) {
            return new Verdict.Linearizable(1, keyOps.size());
        }
        if (c.exhausted) {
            return new Verdict.Unknown(key, keyOps.size(), budget);
        }
        List<KvOp> prefix = Arrays.stream(c.longest).mapToObj(c.ops::get).toList();
        return new Verdict.NotLinearizable(key, List.copyOf(c.ops), prefix);
    }

    /** One configuration on the search stack: the ops linearized so far, the value they leave, the next candidate. */
    private static final class Frame {
        final BitSet done;
        final String value;
        final int finished;
        long minResponse;
        int next = -1;

        Frame(BitSet done, String value, int finished) {
            this.done = done;
            this.value = value;
            this.finished = finished;
        }
    }

    /**
     * Depth-first search for a linearization, on an explicit stack so that long histories (thousands of ops on one
     * key, from a long run on real processes) cannot overflow the thread's stack. Each configuration is visited at
     * most once (the memo) and costs one step of the budget.
     */
    private boolean search() {
        List<Frame> stack = new ArrayList<>();
        stack.add(new Frame(new BitSet(), null, 0));
        while (!stack.isEmpty()) {
            Frame f = stack.get(stack.size() - 1);
            if (f.next < 0) {
                if (f.finished == mustFinish) {
                    return true;
                }
                if (--budget <= 0) {
                    exhausted = true;
                    return false;
                }
                int depth = stack.size() - 1;
                if (depth > longest.length) {
                    longest = Arrays.copyOf(path, depth);
                }
                f.minResponse = KvOp.NEVER;
                for (int i = f.done.nextClearBit(0); i < ops.size(); i = f.done.nextClearBit(i + 1)) {
                    KvOp op = ops.get(i);
                    if (op.invoke() > f.minResponse) {
                        break; // invoked later, so answered later too (response >= invoke): cannot lower the minimum
                    }
                    f.minResponse = Math.min(f.minResponse, op.response());
                }
                f.next = f.done.nextClearBit(0);
            }
            Frame child = null;
            for (int i = f.next; i < ops.size(); i = f.done.nextClearBit(i + 1)) {
                KvOp op = ops.get(i);
                if (op.invoke() > f.minResponse) {
                    break; // sorted by invocation: an op invoked after some pending op answered cannot go first
                }
                if (!legal(op, f.value)) {
                    continue;
                }
                String value = op.kind() == KvOp.Kind.READ ? f.value : op.value();
                BitSet d = (BitSet) f.done.clone();
                d.set(i);
                if (memo.add(new Visited(d, value))) {
                    f.next = f.done.nextClearBit(i + 1);
                    path[stack.size() - 1] = i;
                    child = new Frame(d, value, f.finished + (op.mustHappen() ? 1 : 0));
                    break;
                }
            }
            if (child != null) {
                stack.add(child);
            } else {
                stack.remove(stack.size() - 1);
            }
        }
        return false;
    }

    /** Whether {@code op} can take effect on a register holding {@code value}. */
    private static boolean legal(KvOp op, String value) {
        return switch (op.kind()) {
            case WRITE -> true;
            case CAS -> Objects.equals(op.expected(), value);
            case READ -> Objects.equals(op.value(), value);
        };
    }
}
