package dev.ballot.operator.status;

import dev.ballot.operator.api.RecoveryStatus;
import java.time.Instant;

/**
 * status.recovery for a quorum-loss recovery the kept member accepted (pure). The same words as the Warning Event
 * QuorumRecovery, so that {@code kubectl get ec -o yaml} says what the event said after the event has aged out.
 */
public final class RecoveryStatuses {
    private RecoveryStatuses() {
    }

    /**
     * @param index the kept member's last index (ZAB: its zxid as a number), as its force-new-cluster answer said
     * @param term  the term (ZAB: epoch) of that entry
     */
    public static RecoveryStatus of(String member, String requestId, long index, long term, boolean zab, Instant at) {
        RecoveryStatus r = new RecoveryStatus();
        r.member = member;
        r.requestId = requestId;
        r.keptIndex = index;
        r.keptTerm = term;
        r.keptZxid = zab ? "0x" + Long.toHexString(index) : null;
        r.time = at.toString();
        r.mayHaveLost = mayHaveLost(index, zab);
        return r;
    }

    /** What the Event and the status both say about the writes after the kept index. */
    public static String mayHaveLost(long index, boolean zab) {
        return "writes acknowledged after index " + index + (zab ? " (zxid 0x" + Long.toHexString(index) + ")" : "")
                + " may be lost: only the kept member's log was carried over";
    }
}
