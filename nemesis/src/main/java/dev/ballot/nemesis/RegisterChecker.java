package dev.ballot.nemesis;

import dev.ballot.nemesis.History.Op;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * Linearizability of a history of registers with write, compare-and-set and read (Wing and Gong's search with
 * Lowe's memo of visited configurations, as in Knossos and Porcupine), one key at a time since keys are
 * independent. Three answers: linearizable, not (with the key and its operations), or unknown when the search
 * used up its budget: a search that gave up never passes.
 *
 * <p>Operations whose outcome is unknown ({@code info}) may take effect at any point after their invocation, or
 * never; failed ones ({@code fail}: not applied) are left out, and so are unknown ones nobody observed (see
 * {@link #withoutUnobservedUnknowns}). Every register starts absent (null).
 */
final class RegisterChecker {
    enum Verdict { LINEARIZABLE, NOT_LINEARIZABLE, UNKNOWN }

    record Result(Verdict verdict, String detail) {
        boolean linearizable() {
            return verdict == Verdict.LINEARIZABLE;
        }
    }

    static final long DEFAULT_BUDGET = 2_000_000;
    /** At most about this much memory for the memo of one key's search. */
    static final long MEMO_BYTES = 512L << 20;

    private record Visited(BitSet done, String value) {
    }

    private final List<Op> ops;
    private final int mustFinish;
    private final Set<Visited> memo = new HashSet<>();
    private long budget;
    private final long initialBudget;

    private RegisterChecker(List<Op> ops, long budget) {
        this.ops = new ArrayList<>(ops);
        this.ops.sort(Comparator.comparingLong(Op::invoke));
        this.mustFinish = (int) this.ops.stream().filter(Op::ok).count();
        // Each step may keep one configuration (a bit per operation) in the memo: bound its memory too.
        this.budget = Math.min(budget, MEMO_BYTES / (this.ops.size() / 8 + 64));
        this.initialBudget = this.budget;
    }

    static Result check(List<Op> history) {
        return check(history, DEFAULT_BUDGET);
    }

    /** Every key alone, {@code budget} search steps each. */
    static Result check(List<Op> history, long budget) {
        Map<String, List<Op>> byKey = new TreeMap<>();
        for (Op op : history) {
            if (!op.failed()) {
                byKey.computeIfAbsent(op.key(), k -> new ArrayList<>()).add(op);
            }
        }
        Result worst = new Result(Verdict.LINEARIZABLE, byKey.size() + " keys");
        for (Map.Entry<String, List<Op>> e : byKey.entrySet()) {
            RegisterChecker c = new RegisterChecker(withoutUnobservedUnknowns(e.getValue()), budget);
            boolean found = c.searchOnBigStack();
            if (found) {
                continue;
            }
            if (c.budget <= 0) {
                worst = new Result(Verdict.UNKNOWN, "key '" + e.getKey() + "': the search ran out of its budget of "
                        + c.initialBudget + " steps over " + e.getValue().size() + " operations");
            } else {
                return new Result(Verdict.NOT_LINEARIZABLE, "key '" + e.getKey() + "': no linearization of "
                        + describe(c.ops));
            }
        }
        return worst;
    }

    /**
     * Drops writes and compare-and-sets of unknown outcome whose value nobody observed (no read returned it, no CAS
     * expected or found it). Sound: while the register holds a value nobody observes, no operation with a known
     * outcome can take effect but a write (every read and CAS needs a value it names), so a linearization with such
     * an operation stays one without it. It matters: each one in doubt doubles the configurations to search.
     */
    static List<Op> withoutUnobservedUnknowns(List<Op> ops) {
        Set<String> observed = new HashSet<>();
        for (Op op : ops) {
            if (op.f().equals("read") && op.ok() && op.value() != null) {
                observed.add(op.value());
            }
            if (op.f().equals("cas")) {
                if (op.expect() != null) {
                    observed.add(op.expect());
                }
                if (op.found() != null) {
                    observed.add(op.found());
                }
            }
        }
        List<Op> kept = new ArrayList<>();
        for (Op op : ops) {
            if (!(op.unknown() && !op.f().equals("read") && !observed.contains(op.value()))) {
                kept.add(op);
            }
        }
        return kept;
    }

    private static String describe(List<Op> ops) {
        StringBuilder sb = new StringBuilder();
        for (Op op : ops) {
            sb.append("\n  p").append(op.process()).append(' ').append(op.f()).append(' ');
            switch (op.f()) {
                case "write" -> sb.append(op.value());
                case "cas" -> sb.append(op.expect()).append("->").append(op.value())
                        .append(op.ok() ? (op.casOk() ? " ok" : " failed, found " + op.found()) : "");
                default -> sb.append("-> ").append(op.value());
            }
            sb.append(" [").append(op.invoke()).append(", ")
                    .append(op.unknown() ? "?" : Long.toString(op.complete())).append("] ").append(op.outcome());
        }
        return sb.toString();
    }

    /**
     * The search recurses once per linearized operation, so a long run's history (tens of thousands of operations
     * on a key) needs a deeper stack than a default thread has.
     */
    private boolean searchOnBigStack() {
        boolean[] found = new boolean[1];
        RuntimeException[] failure = new RuntimeException[1];
        Thread t = new Thread(null, () -> {
            try {
                found[0] = search(new BitSet(), null, 0);
            } catch (RuntimeException e) {
                failure[0] = e;
            }
        }, "register-checker", STACK_BYTES);
        t.start();
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while checking", e);
        }
        if (failure[0] != null) {
            throw failure[0];
        }
        return found[0];
    }

    static final long STACK_BYTES = 1L << 30;

    /** Depth-first: try each operation that may go next; memoize configurations already shown to fail. */
    private boolean search(BitSet done, String value, int finished) {
        if (finished == mustFinish) {
            return true;
        }
        if (--budget <= 0) {
            return false;
        }
        long minComplete = Long.MAX_VALUE;
        for (int i = done.nextClearBit(0); i < ops.size(); i = done.nextClearBit(i + 1)) {
            Op op = ops.get(i);
            if (op.invoke() > minComplete) {
                break; // sorted by invocation: every later one completes later still
            }
            if (op.ok()) {
                minComplete = Math.min(minComplete, op.complete());
            }
        }
        for (int i = done.nextClearBit(0); i < ops.size(); i = done.nextClearBit(i + 1)) {
            Op op = ops.get(i);
            if (op.invoke() > minComplete) {
                break; // sorted by invocation: an operation that completed comes before everything invoked after it
            }
            String next = apply(op, value);
            if (next == NOT_ALLOWED) {
                continue;
            }
            BitSet after = (BitSet) done.clone();
            after.set(i);
            if (!memo.add(new Visited(after, next))) {
                continue;
            }
            if (search(after, next, finished + (op.ok() ? 1 : 0))) {
                return true;
            }
            if (budget <= 0) {
                return false;
            }
        }
        return false;
    }

    private static final String NOT_ALLOWED = new String("not allowed");

    /** The register's value after {@code op} at {@code value}, or {@link #NOT_ALLOWED} when op cannot happen there. */
    static String apply(Op op, String value) {
        switch (op.f()) {
            case "write":
                return op.value();
            case "cas":
                if (op.ok() && Boolean.FALSE.equals(op.casOk())) {
                    return !Objects.equals(value, op.expect()) && Objects.equals(value, op.found()) ? value : NOT_ALLOWED;
                }
                return Objects.equals(value, op.expect()) ? op.value() : NOT_ALLOWED;
            case "read":
                return Objects.equals(value, op.value()) ? value : NOT_ALLOWED;
            default:
                throw new IllegalArgumentException("unknown operation '" + op.f() + "'");
        }
    }
}
