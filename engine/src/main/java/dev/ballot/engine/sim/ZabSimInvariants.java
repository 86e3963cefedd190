package dev.ballot.engine.sim;

import dev.ballot.engine.LogEntry;
import dev.ballot.engine.Ready;
import dev.ballot.engine.zab.ServerState;
import dev.ballot.engine.zab.ZabNode;
import dev.ballot.engine.zab.Zxid;

import java.util.HashMap;
import java.util.Map;

/**
 * Zab.tla's properties in the simulator. The simulator itself checks that applied entries agree and
 * come in order on every server (Agreement, TotalOrder) and the client histories (linearizability).
 * This adds what is particular to ZAB:
 * <ul>
 *   <li>Leadership: at most one established leader per epoch;</li>
 *   <li>PrimaryIntegrity: a zxid names one transaction: every server that logs it logs the same one,
 *       and its epoch is the zxid's epoch;</li>
 *   <li>Integrity: a server delivers only a transaction some server logged as such;</li>
 *   <li>Local and global PrimaryOrder: each server's log and deliveries are in zxid order, so a
 *       leader's transactions keep their order and earlier epochs come first;</li>
 *   <li>Epochs: currentEpoch never exceeds acceptedEpoch, in memory and on disk.</li>
 * </ul>
 */
final class ZabSimInvariants implements InvariantChecker {
    private final Map<Long, Long> leaderOfEpoch = new HashMap<>();
    private final Map<Long, LogEntry> logged = new HashMap<>();
    private final Map<Long, Long> lastLogged = new HashMap<>();

    @Override
    public void onPersisted(long id, Ready ready, SimView view) {
        if (ready.hardState() != null && ready.hardState().term() > ready.hardState().acceptedEpoch()) {
            throw new InvariantViolation("epochs", "server " + id + " persisted currentEpoch " + ready.hardState().term()
                    + " above acceptedEpoch " + ready.hardState().acceptedEpoch());
        }
        if (ready.truncateFrom() != Ready.NO_TRUNCATION || ready.snapshot() != null) {
            lastLogged.remove(id);
        }
        for (LogEntry e : ready.entries()) {
            if (Zxid.epoch(e.index()) != e.term()) {
                throw new InvariantViolation("PrimaryIntegrity", "server " + id + " logged " + e + " whose epoch "
                        + e.term() + " differs from its zxid's " + Zxid.hex(e.index()));
            }
            Long before = lastLogged.get(id);
            if (before != null && e.index() <= before) {
                throw new InvariantViolation("LocalPrimaryOrder", "server " + id + " logged " + Zxid.hex(e.index())
                        + " after " + Zxid.hex(before));
            }
            lastLogged.put(id, e.index());
            LogEntry first = logged.putIfAbsent(e.index(), e);
            if (first != null && !first.equals(e)) {
                throw new InvariantViolation("PrimaryIntegrity", "zxid " + Zxid.hex(e.index()) + " names two transactions: "
                        + first + " and, on server " + id + ", " + e);
            }
        }
    }

    @Override
    public void onApplied(long id, LogEntry entry, SimView view) {
        LogEntry origin = logged.get(entry.index());
        if (origin != null && !origin.equals(entry)) {
            throw new InvariantViolation("Integrity", "server " + id + " delivered " + entry + " but " + Zxid.hex(entry.index())
                    + " was logged as " + origin);
        }
    }

    @Override
    public void afterEvent(SimView view) {
        for (long id : view.upNodes()) {
            ZabNode n = (ZabNode) view.node(id);
            if (n.currentEpoch() > n.acceptedEpoch()) {
                throw new InvariantViolation("epochs", "server " + id + " has currentEpoch " + n.currentEpoch()
                        + " above acceptedEpoch " + n.acceptedEpoch());
            }
            if (n.state() == ServerState.LEADING && n.serving()) {
                Long other = leaderOfEpoch.putIfAbsent(n.currentEpoch(), id);
                if (other != null && other != id) {
                    throw new InvariantViolation("Leadership", "servers " + other + " and " + id
                            + " both established leaders of epoch " + n.currentEpoch());
                }
            }
        }
    }
}
