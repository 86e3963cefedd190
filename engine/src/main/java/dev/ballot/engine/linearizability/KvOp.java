package dev.ballot.engine.linearizability;

import java.util.Objects;

/**
 * One client operation on one key of a key-value store, as recorded by whoever ran it (the simulator, or a
 * harness timing real processes): what was asked, when it was invoked, and how it ended.
 *
 * <p>Times are any monotonic clock's readings (ticks, milliseconds, nanoseconds), the same clock for every op of a
 * history. An op that ended {@link Status#INFO} has no response time: it may take effect at any point after its
 * invocation, or never.
 *
 * @param process  who issued it (a client id); for reports only, the check does not need it
 * @param kind     write, compare-and-set or read
 * @param key      the key; keys are independent registers and are checked one by one
 * @param expected for {@link Kind#CAS}: the value the key must hold for the swap to happen (null: absent)
 * @param value    for a write or a CAS, the value written; for a read, the value it returned (null: absent)
 * @param status   how it ended
 * @param invoke   when it was invoked
 * @param response when its answer came; {@link #NEVER} for an {@link Status#INFO} op
 */
public record KvOp(long process, Kind kind, String key, String expected, String value, Status status, long invoke,
                   long response) {
    /** The response time of an op whose outcome is unknown. */
    public static final long NEVER = Long.MAX_VALUE;

    public enum Kind { WRITE, CAS, READ }

    /** As Jepsen records them: {@code ok} took effect, {@code fail} did not, {@code info} may or may not have. */
    public enum Status {
        /** It took effect between invoke and response (a read returned {@code value}). */
        OK,
        /** It certainly did not take effect (a refused write, a CAS whose precondition did not hold, an error that means "not applied"). */
        FAIL,
        /** Unknown: a timeout or an "outcome unknown" answer. A write or CAS may take effect at any time after invoke. */
        INFO
    }

    public KvOp {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(status, "status");
        if (status == Status.INFO) {
            response = NEVER;
        } else if (response < invoke) {
            throw new IllegalArgumentException("op on key " + key + " answered at " + response + " before its invocation at "
                    + invoke + "; record both times from the same clock");
        }
    }

    public static KvOp write(long process, String key, String value, Status status, long invoke, long response) {
        return new KvOp(process, Kind.WRITE, key, null, value, status, invoke, response);
    }

    public static KvOp cas(long process, String key, String expected, String value, Status status, long invoke, long response) {
        return new KvOp(process, Kind.CAS, key, expected, value, status, invoke, response);
    }

    /** A read that returned {@code value} ({@link Status#OK}); a failed or unknown read constrains nothing. */
    public static KvOp read(long process, String key, String value, Status status, long invoke, long response) {
        return new KvOp(process, Kind.READ, key, null, value, status, invoke, response);
    }

    /** Whether it must appear in a linearization (it completed), rather than may (its outcome is unknown). */
    boolean mustHappen() {
        return status == Status.OK;
    }

    /** Whether it can have had any effect or observation at all; failed ops and unanswered reads are left out. */
    boolean matters() {
        return status == Status.OK || (status == Status.INFO && kind != Kind.READ);
    }

    @Override
    public String toString() {
        String what = switch (kind) {
            case WRITE -> "write(" + value + ")";
            case CAS -> "cas(" + expected + "->" + value + ")";
            case READ -> "read->(" + value + ")";
        };
        return what + "[" + invoke + "," + (response == NEVER ? "?" : response) + "]";
    }
}
