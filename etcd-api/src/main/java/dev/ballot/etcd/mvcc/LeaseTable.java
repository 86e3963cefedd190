package dev.ballot.etcd.mvcc;

import com.google.protobuf.ByteString;

import java.util.Collections;
import java.util.Map;
import java.util.NavigableSet;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The replicated part of etcd's leases: which exist, their granted TTL, and the keys attached to each.
 * When a lease expires is not replicated (only the leader's clock decides it, see {@code LeaseClock}).
 */
public final class LeaseTable {
    /** One lease: its granted TTL in seconds and its keys, in key order. */
    public record Lease(long id, long ttl, NavigableSet<ByteString> keys) {
    }

    private final TreeMap<Long, Lease> leases = new TreeMap<>();

    public boolean exists(long id) {
        return leases.containsKey(id);
    }

    public Lease get(long id) {
        return leases.get(id);
    }

    public void grant(long id, long ttl) {
        leases.put(id, new Lease(id, ttl, new TreeSet<>(ByteString.unsignedLexicographicalComparator())));
    }

    /** Removes the lease; returns it (its keys are for the caller to delete) or null. */
    public Lease remove(long id) {
        return leases.remove(id);
    }

    void attach(long id, ByteString key) {
        Lease l = leases.get(id);
        if (l != null) {
            l.keys().add(key);
        }
    }

    void detach(long id, ByteString key) {
        Lease l = leases.get(id);
        if (l != null) {
            l.keys().remove(key);
        }
    }

    public SortedMap<Long, Lease> all() {
        return Collections.unmodifiableSortedMap(leases);
    }

    void clear() {
        leases.clear();
    }

    public Map<Long, Lease> view() {
        return Collections.unmodifiableMap(leases);
    }
}
