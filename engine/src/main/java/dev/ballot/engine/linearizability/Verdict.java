package dev.ballot.engine.linearizability;

import java.util.List;

/**
 * What {@link LinearizabilityChecker} found: the history is linearizable, it is not (with the key and the ops that
 * show it), or the search ran out of budget before deciding. Only {@link Linearizable} is a pass.
 */
public sealed interface Verdict {
    /** True only for {@link Linearizable}: an undecided history is not a pass. */
    default boolean linearizable() {
        return this instanceof Linearizable;
    }

    /** Every key's ops have an order that respects real time and the register's semantics. */
    record Linearizable(int keys, int ops) implements Verdict {
    }

    /**
     * No order exists for {@code key}. {@code ops} is that key's history (sorted by invocation); {@code longestPrefix}
     * the longest sequence of its ops the search could linearize, after which none of the others could go next.
     */
    record NotLinearizable(String key, List<KvOp> ops, List<KvOp> longestPrefix) implements Verdict {
        /** One line for a report: the key, its history and how far a linearization got. */
        public String witness() {
            return "key " + key + ": no linearization of " + ops + "; longest linearizable prefix " + longestPrefix;
        }
    }

    /** The search for {@code key} took more than {@code budget} steps: neither proven nor refuted. */
    record Unknown(String key, int ops, long budget) implements Verdict {
        public String reason() {
            return "key " + key + ": the search gave up after " + budget + " steps over " + ops
                    + " ops; not proven linearizable (raise the budget, or check a shorter history)";
        }
    }
}
