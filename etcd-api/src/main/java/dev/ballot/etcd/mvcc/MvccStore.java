package dev.ballot.etcd.mvcc;

import com.google.protobuf.ByteString;
import dev.ballot.etcd.EtcdError;
import io.etcd.jetcd.api.Compare;
import io.etcd.jetcd.api.DeleteRangeRequest;
import io.etcd.jetcd.api.DeleteRangeResponse;
import io.etcd.jetcd.api.Event;
import io.etcd.jetcd.api.KeyValue;
import io.etcd.jetcd.api.PutRequest;
import io.etcd.jetcd.api.PutResponse;
import io.etcd.jetcd.api.RangeRequest;
import io.etcd.jetcd.api.RangeResponse;
import io.etcd.jetcd.api.RequestOp;
import io.etcd.jetcd.api.ResponseHeader;
import io.etcd.jetcd.api.ResponseOp;
import io.etcd.jetcd.api.TxnRequest;
import io.etcd.jetcd.api.TxnResponse;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * etcd's multi-version store: every write makes a new main revision (a txn's writes share one, told apart by
 * sub-revisions); each key keeps its history of values and tombstones, with create revision, mod revision
 * and version, until a compaction drops what no read at or after the compaction revision can see.
 * Deterministic: the same commands give the same revisions and bytes on every member.
 * Not thread-safe: the node's driver thread owns it.
 */
public final class MvccStore {
    /** One version of a key; a tombstone records a delete at {@code main}. */
    record Rev(long main, long sub, KeyValue kv, boolean tombstone) {
    }

    /**
     * Keys in etcd's order: unsigned bytes, lexicographically. protobuf's own comparator does the same through a
     * byte iterator and a boxed compare per byte: 6.6% of a leader's samples under 64 writing clients (keys with a
     * long shared prefix, every put a TreeMap descent), docs/bench.md. Indexing the bytes does it without either.
     */
    static final Comparator<ByteString> KEY_ORDER = MvccStore::compareKeys;

    static int compareKeys(ByteString a, ByteString b) {
        int n = Math.min(a.size(), b.size());
        for (int i = 0; i < n; i++) {
            int x = a.byteAt(i) & 0xff;
            int y = b.byteAt(i) & 0xff;
            if (x != y) {
                return x - y;
            }
        }
        return a.size() - b.size();
    }
    /** etcd refuses a txn with more operations than this (its --max-txn-ops default). */
    static final int MAX_TXN_OPS = 128;

    final TreeMap<ByteString, TreeMap<Long, Rev>> index = new TreeMap<>(KEY_ORDER);
    final LeaseTable leases;
    /** An empty etcd is at revision 1; the first write makes revision 2. */
    long currentRev = 1;
    long compactRev = 0;
    /** Keys and values of every version kept (history until compaction included): what a quota limits. */
    long bytes;
    private Consumer<List<Event>> listener = events -> { };

    public MvccStore(LeaseTable leases) {
        this.leases = leases;
    }

    /** Receives the events of every revision as it is applied (the watch hub). */
    public void setListener(Consumer<List<Event>> listener) {
        this.listener = listener;
    }

    public long currentRevision() {
        return currentRev;
    }

    public long compactRevision() {
        return compactRev;
    }

    /** Bytes of keys and values of every version the store keeps (history until compaction included). */
    public long bytes() {
        return bytes;
    }

    static long size(Rev r) {
        return r.kv().getKey().size() + (long) r.kv().getValue().size();
    }

    /** Adds {@code r} to the key's history, replacing a version at the same revision (a txn's delete then put). */
    private void keep(ByteString key, Rev r) {
        Rev old = index.computeIfAbsent(key, k -> new TreeMap<>()).put(r.main(), r);
        bytes += size(r) - (old == null ? 0 : size(old));
    }

    /** After a snapshot install: counted again from the index. */
    void recount() {
        long n = 0;
        for (TreeMap<Long, Rev> h : index.values()) {
            for (Rev r : h.values()) {
                n += size(r);
            }
        }
        bytes = n;
    }

    public int keyCount() {
        int n = 0;
        for (TreeMap<Long, Rev> h : index.values()) {
            if (!h.lastEntry().getValue().tombstone()) {
                n++;
            }
        }
        return n;
    }

    // ------------------------------------------------------------------ reads

    public RangeResponse range(RangeRequest r) {
        long rev = r.getRevision() <= 0 ? currentRev : r.getRevision();
        if (rev > currentRev) {
            throw EtcdError.FUTURE_REV.failure();
        }
        if (rev < compactRev) {
            throw EtcdError.COMPACTED.failure();
        }
        return rangeAt(r, rev).setHeader(header(currentRev)).build();
    }

    private RangeResponse.Builder rangeAt(RangeRequest r, long rev) {
        List<KeyValue> found = new ArrayList<>();
        for (Map.Entry<ByteString, TreeMap<Long, Rev>> e : keys(r.getKey(), r.getRangeEnd()).entrySet()) {
            Map.Entry<Long, Rev> at = e.getValue().floorEntry(rev);
            if (at == null || at.getValue().tombstone()) {
                continue;
            }
            KeyValue kv = at.getValue().kv();
            if ((r.getMinModRevision() > 0 && kv.getModRevision() < r.getMinModRevision())
                    || (r.getMaxModRevision() > 0 && kv.getModRevision() > r.getMaxModRevision())
                    || (r.getMinCreateRevision() > 0 && kv.getCreateRevision() < r.getMinCreateRevision())
                    || (r.getMaxCreateRevision() > 0 && kv.getCreateRevision() > r.getMaxCreateRevision())) {
                continue;
            }
            found.add(kv);
        }
        sort(found, r);
        RangeResponse.Builder out = RangeResponse.newBuilder().setCount(found.size());
        if (r.getCountOnly()) {
            return out;
        }
        long limit = r.getLimit();
        int n = limit > 0 && limit < found.size() ? (int) limit : found.size();
        out.setMore(n < found.size());
        for (int i = 0; i < n; i++) {
            KeyValue kv = found.get(i);
            out.addKvs(r.getKeysOnly() ? kv.toBuilder().clearValue().build() : kv);
        }
        return out;
    }

    private static void sort(List<KeyValue> kvs, RangeRequest r) {
        RangeRequest.SortOrder order = r.getSortOrder();
        if (order == RangeRequest.SortOrder.NONE) {
            return; // already in key order
        }
        Comparator<KeyValue> c = switch (r.getSortTarget()) {
            case VERSION -> Comparator.comparingLong(KeyValue::getVersion);
            case CREATE -> Comparator.comparingLong(KeyValue::getCreateRevision);
            case MOD -> Comparator.comparingLong(KeyValue::getModRevision);
            case VALUE -> Comparator.comparing(KeyValue::getValue, KEY_ORDER);
            default -> Comparator.comparing(KeyValue::getKey, KEY_ORDER);
        };
        // Stable: equal targets stay in key order, as in etcd.
        kvs.sort(order == RangeRequest.SortOrder.DESCEND ? c.reversed() : c);
    }

    /** The keys a request names: one key, [key, end), or everything from key when end is "\0". */
    NavigableMap<ByteString, TreeMap<Long, Rev>> keys(ByteString key, ByteString end) {
        if (end.isEmpty()) {
            TreeMap<Long, Rev> h = index.get(key);
            TreeMap<ByteString, TreeMap<Long, Rev>> one = new TreeMap<>(KEY_ORDER);
            if (h != null) {
                one.put(key, h);
            }
            return one;
        }
        if (end.size() == 1 && end.byteAt(0) == 0) {
            return index.tailMap(key, true);
        }
        if (KEY_ORDER.compare(key, end) >= 0) {
            return new TreeMap<>(KEY_ORDER);
        }
        return index.subMap(key, true, end, false);
    }

    /** The key's live value at the latest revision, or null. */
    KeyValue latest(ByteString key) {
        TreeMap<Long, Rev> h = index.get(key);
        if (h == null) {
            return null;
        }
        Rev last = h.lastEntry().getValue();
        return last.tombstone() ? null : last.kv();
    }

    // ------------------------------------------------------------------ writes

    /** One applied request: every write in it shares {@code main}. */
    final class Write {
        final long main = currentRev + 1;
        long sub;
        final List<Event> events = new ArrayList<>();

        KeyValue put(PutRequest p) {
            KeyValue prev = latest(p.getKey());
            ByteString value = p.getIgnoreValue() ? prev.getValue() : p.getValue();
            long lease = p.getIgnoreLease() ? prev.getLease() : p.getLease();
            KeyValue kv = KeyValue.newBuilder().setKey(p.getKey()).setValue(value).setLease(lease)
                    .setCreateRevision(prev == null ? main : prev.getCreateRevision())
                    .setModRevision(main).setVersion(prev == null ? 1 : prev.getVersion() + 1).build();
            keep(p.getKey(), new Rev(main, sub++, kv, false));
            if (prev != null && prev.getLease() != 0 && prev.getLease() != lease) {
                leases.detach(prev.getLease(), p.getKey());
            }
            if (lease != 0) {
                leases.attach(lease, p.getKey());
            }
            Event.Builder ev = Event.newBuilder().setType(Event.EventType.PUT).setKv(kv);
            if (prev != null) {
                ev.setPrevKv(prev);
            }
            events.add(ev.build());
            return prev;
        }

        List<KeyValue> delete(ByteString key, ByteString end) {
            List<KeyValue> deleted = new ArrayList<>();
            for (Map.Entry<ByteString, TreeMap<Long, Rev>> e : keys(key, end).entrySet()) {
                Rev last = e.getValue().lastEntry().getValue();
                if (!last.tombstone()) {
                    deleted.add(last.kv());
                }
            }
            for (KeyValue prev : deleted) {
                KeyValue tomb = KeyValue.newBuilder().setKey(prev.getKey()).setModRevision(main).build();
                keep(prev.getKey(), new Rev(main, sub++, tomb, true));
                if (prev.getLease() != 0) {
                    leases.detach(prev.getLease(), prev.getKey());
                }
                events.add(Event.newBuilder().setType(Event.EventType.DELETE).setKv(tomb).setPrevKv(prev).build());
            }
            return deleted;
        }

        /** Ends the request: a revision only if something changed; watchers hear of it. */
        long commit() {
            if (!events.isEmpty()) {
                currentRev = main;
                listener.accept(List.copyOf(events));
            }
            return currentRev;
        }
    }

    public PutResponse put(PutRequest p) {
        validatePut(p);
        Write w = new Write();
        KeyValue prev = w.put(p);
        PutResponse.Builder out = PutResponse.newBuilder();
        if (p.getPrevKv() && prev != null) {
            out.setPrevKv(prev);
        }
        return out.setHeader(header(w.commit())).build();
    }

    public DeleteRangeResponse deleteRange(DeleteRangeRequest d) {
        if (d.getKey().isEmpty()) {
            throw EtcdError.EMPTY_KEY.failure();
        }
        Write w = new Write();
        List<KeyValue> deleted = w.delete(d.getKey(), d.getRangeEnd());
        DeleteRangeResponse.Builder out = DeleteRangeResponse.newBuilder().setDeleted(deleted.size());
        if (d.getPrevKv()) {
            out.addAllPrevKvs(deleted);
        }
        return out.setHeader(header(w.commit())).build();
    }

    public TxnResponse txn(TxnRequest t) {
        boolean ok = compares(t.getCompareList());
        List<RequestOp> ops = ok ? t.getSuccessList() : t.getFailureList();
        validateOps(ops, new HashSet<>());
        Write w = new Write();
        TxnResponse.Builder out = TxnResponse.newBuilder().setSucceeded(ok);
        for (RequestOp op : ops) {
            out.addResponses(apply(w, op));
        }
        return out.setHeader(header(w.commit())).build();
    }

    private ResponseOp apply(Write w, RequestOp op) {
        return switch (op.getRequestCase()) {
            case REQUEST_RANGE -> {
                RangeRequest r = op.getRequestRange();
                // Reads inside a txn see its own earlier writes (the revision being written).
                long rev = r.getRevision() > 0 ? r.getRevision() : w.main;
                if (r.getRevision() > 0 && r.getRevision() < compactRev) {
                    throw EtcdError.COMPACTED.failure();
                }
                yield ResponseOp.newBuilder().setResponseRange(rangeAt(r, rev).setHeader(header(currentRev))).build();
            }
            case REQUEST_PUT -> {
                PutRequest p = op.getRequestPut();
                KeyValue prev = w.put(p);
                PutResponse.Builder pr = PutResponse.newBuilder().setHeader(header(currentRev));
                if (p.getPrevKv() && prev != null) {
                    pr.setPrevKv(prev);
                }
                yield ResponseOp.newBuilder().setResponsePut(pr).build();
            }
            case REQUEST_DELETE_RANGE -> {
                DeleteRangeRequest d = op.getRequestDeleteRange();
                List<KeyValue> deleted = w.delete(d.getKey(), d.getRangeEnd());
                DeleteRangeResponse.Builder dr = DeleteRangeResponse.newBuilder().setHeader(header(currentRev))
                        .setDeleted(deleted.size());
                if (d.getPrevKv()) {
                    dr.addAllPrevKvs(deleted);
                }
                yield ResponseOp.newBuilder().setResponseDeleteRange(dr).build();
            }
            case REQUEST_TXN -> {
                TxnRequest inner = op.getRequestTxn();
                boolean ok = compares(inner.getCompareList());
                TxnResponse.Builder tr = TxnResponse.newBuilder().setSucceeded(ok).setHeader(header(currentRev));
                for (RequestOp o : ok ? inner.getSuccessList() : inner.getFailureList()) {
                    tr.addResponses(apply(w, o));
                }
                yield ResponseOp.newBuilder().setResponseTxn(tr).build();
            }
            default -> throw EtcdError.NOT_CAPABLE.failure();
        };
    }

    /** Refuses what etcd refuses before applying anything, so a txn is all or nothing. */
    private void validateOps(List<RequestOp> ops, Set<ByteString> putKeys) {
        if (ops.size() > MAX_TXN_OPS) {
            throw EtcdError.TOO_MANY_OPS.failure();
        }
        for (RequestOp op : ops) {
            switch (op.getRequestCase()) {
                case REQUEST_PUT -> {
                    validatePut(op.getRequestPut());
                    if (!putKeys.add(op.getRequestPut().getKey())) {
                        throw EtcdError.DUPLICATE_KEY.failure();
                    }
                }
                case REQUEST_TXN -> {
                    TxnRequest inner = op.getRequestTxn();
                    validateOps(compares(inner.getCompareList()) ? inner.getSuccessList() : inner.getFailureList(), putKeys);
                }
                case REQUEST_DELETE_RANGE -> {
                    if (op.getRequestDeleteRange().getKey().isEmpty()) {
                        throw EtcdError.EMPTY_KEY.failure();
                    }
                }
                default -> {
                }
            }
        }
    }

    private void validatePut(PutRequest p) {
        if (p.getKey().isEmpty()) {
            throw EtcdError.EMPTY_KEY.failure();
        }
        if ((p.getIgnoreValue() || p.getIgnoreLease()) && latest(p.getKey()) == null) {
            throw EtcdError.KEY_NOT_FOUND.failure();
        }
        if (!p.getIgnoreLease() && p.getLease() != 0 && !leases.exists(p.getLease())) {
            throw EtcdError.LEASE_NOT_FOUND.failure();
        }
    }

    boolean compares(List<Compare> compares) {
        for (Compare c : compares) {
            if (!compare(c)) {
                return false;
            }
        }
        return true;
    }

    /** etcd's rule: every key in the compare's range must satisfy it; a missing key compares as zeros (never on value). */
    private boolean compare(Compare c) {
        List<KeyValue> kvs = new ArrayList<>();
        for (ByteString k : keys(c.getKey(), c.getRangeEnd()).keySet()) {
            KeyValue kv = latest(k);
            if (kv != null) {
                kvs.add(kv);
            }
        }
        if (kvs.isEmpty()) {
            if (c.getTarget() == Compare.CompareTarget.VALUE) {
                return false;
            }
            kvs.add(KeyValue.getDefaultInstance());
        }
        for (KeyValue kv : kvs) {
            int cmp = switch (c.getTargetValue()) {
                case Compare.CompareTarget.VERSION_VALUE -> Long.compare(kv.getVersion(), c.getVersion());
                case Compare.CompareTarget.CREATE_VALUE -> Long.compare(kv.getCreateRevision(), c.getCreateRevision());
                case Compare.CompareTarget.MOD_VALUE -> Long.compare(kv.getModRevision(), c.getModRevision());
                case Compare.CompareTarget.VALUE_VALUE -> KEY_ORDER.compare(kv.getValue(), c.getValue());
                case LEASE_TARGET -> Long.compare(kv.getLease(), leaseOf(c));
                default -> throw EtcdError.NOT_CAPABLE.failure();
            };
            boolean ok = switch (c.getResult()) {
                case EQUAL -> cmp == 0;
                case NOT_EQUAL -> cmp != 0;
                case GREATER -> cmp > 0;
                case LESS -> cmp < 0;
                default -> false;
            };
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** etcd's Compare.LEASE target and its {@code lease = 8} field, newer than jetcd's copy of rpc.proto. */
    static final int LEASE_TARGET = 4;
    private static final int LEASE_FIELD = 8;

    static long leaseOf(Compare c) {
        var f = c.getUnknownFields().getField(LEASE_FIELD);
        return f == null || f.getVarintList().isEmpty() ? 0 : f.getVarintList().get(f.getVarintList().size() - 1);
    }

    /** Deletes the lease's keys in one revision (a revoke or an expiry). */
    public long deleteKeys(Iterable<ByteString> keys) {
        Write w = new Write();
        for (ByteString k : new ArrayList<ByteString>(toList(keys))) {
            w.delete(k, ByteString.EMPTY);
        }
        return w.commit();
    }

    private static List<ByteString> toList(Iterable<ByteString> it) {
        List<ByteString> out = new ArrayList<>();
        it.forEach(out::add);
        return out;
    }

    /**
     * Forgets every version older than {@code rev} that a read at {@code rev} or later cannot see: per key,
     * versions below rev except the one in force at rev (dropped too if it is a tombstone).
     */
    public long compact(long rev) {
        if (rev <= compactRev) {
            throw EtcdError.COMPACTED.failure();
        }
        if (rev > currentRev) {
            throw EtcdError.FUTURE_REV.failure();
        }
        Iterator<TreeMap<Long, Rev>> it = index.values().iterator();
        while (it.hasNext()) {
            TreeMap<Long, Rev> h = it.next();
            Map.Entry<Long, Rev> atRev = h.floorEntry(rev);
            if (atRev != null) {
                Map<Long, Rev> older = h.headMap(atRev.getKey(), false);
                older.values().forEach(r -> bytes -= size(r));
                older.clear();
                if (atRev.getValue().tombstone()) {
                    bytes -= size(h.remove(atRev.getKey()));
                }
            }
            if (h.isEmpty()) {
                it.remove();
            }
        }
        compactRev = rev;
        return currentRev;
    }

    /** Every event at revisions {@code from}..current, in revision order (a watch that starts in the past). */
    public List<Event> eventsSince(long from, ByteString key, ByteString end) {
        return eventsSince(from, key, end, Integer.MAX_VALUE);
    }

    /**
     * The first events at revisions {@code from}..current, in revision order: at least {@code limit} when there are
     * that many, and never part of a revision (the last revision's events are all included), so a watcher that
     * catches up in steps sends each revision whole.
     */
    public List<Event> eventsSince(long from, ByteString key, ByteString end, int limit) {
        List<Rev> revs = new ArrayList<>();
        for (TreeMap<Long, Rev> h : keys(key, end).values()) {
            revs.addAll(h.tailMap(from, true).values());
        }
        revs.sort(Comparator.comparingLong(Rev::main).thenComparingLong(Rev::sub));
        List<Event> out = new ArrayList<>(Math.min(revs.size(), limit));
        long lastMain = -1;
        for (Rev r : revs) {
            if (out.size() >= limit && r.main() != lastMain) {
                break;
            }
            lastMain = r.main();
            TreeMap<Long, Rev> h = index.get(r.kv().getKey());
            Map.Entry<Long, Rev> before = h.lowerEntry(r.main());
            KeyValue prev = before == null || before.getValue().tombstone() ? null : before.getValue().kv();
            Event.Builder ev = Event.newBuilder().setType(r.tombstone() ? Event.EventType.DELETE : Event.EventType.PUT)
                    .setKv(r.kv());
            if (prev != null) {
                ev.setPrevKv(prev);
            }
            out.add(ev.build());
        }
        return out;
    }

    static ResponseHeader header(long rev) {
        return ResponseHeader.newBuilder().setRevision(rev).build();
    }

    void clear() {
        index.clear();
        currentRev = 1;
        compactRev = 0;
    }
}
