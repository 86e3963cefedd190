package dev.ballot.etcd.mvcc;

import com.google.protobuf.ByteString;
import io.etcd.jetcd.api.KeyValue;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.TreeMap;

/**
 * The MVCC store and lease table as bytes, in key and revision order so that equal states give equal bytes:
 * revisions, every kept version of every key (tombstones included), and the leases (their keys are rebuilt
 * from the keys' own lease fields).
 */
public final class StoreSnapshot {
    /**
     * 2 adds the NOSPACE alarm after the versions. Without the alarm format 1 is still written, so that a member of the
     * previous version can install a snapshot from an upgraded leader during a rolling upgrade; both are read.
     */
    private static final int FORMAT = 2;
    private static final int FORMAT_WITHOUT_ALARM = 1;

    /** What {@link #read} restored beside the store and the leases. */
    public record Restored(long appliedIndex, boolean noSpaceAlarm) {
    }

    private StoreSnapshot() {
    }

    public static byte[] write(MvccStore store, LeaseTable leases, long appliedIndex, boolean noSpaceAlarm) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeInt(noSpaceAlarm ? FORMAT : FORMAT_WITHOUT_ALARM);
            out.writeLong(appliedIndex);
            out.writeLong(store.currentRev);
            out.writeLong(store.compactRev);
            out.writeInt(leases.all().size());
            for (LeaseTable.Lease l : leases.all().values()) {
                out.writeLong(l.id());
                out.writeLong(l.ttl());
            }
            out.writeInt(store.index.size());
            for (Map.Entry<ByteString, TreeMap<Long, MvccStore.Rev>> e : store.index.entrySet()) {
                out.writeInt(e.getValue().size());
                for (MvccStore.Rev r : e.getValue().values()) {
                    out.writeLong(r.main());
                    out.writeLong(r.sub());
                    out.writeBoolean(r.tombstone());
                    byte[] kv = r.kv().toByteArray();
                    out.writeInt(kv.length);
                    out.write(kv);
                }
            }
            if (noSpaceAlarm) {
                out.writeBoolean(true);
            }
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Replaces the store's and the table's contents; returns the applied index and the alarm recorded. */
    public static Restored read(byte[] snapshot, MvccStore store, LeaseTable leases) {
        store.clear();
        leases.clear();
        if (snapshot == null || snapshot.length == 0) {
            return new Restored(0, false);
        }
        try {
            DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(snapshot));
            int format = in.readInt();
            if (format != FORMAT && format != FORMAT_WITHOUT_ALARM) {
                throw new IllegalStateException("etcd store snapshot format " + format + " is not " + FORMAT);
            }
            long applied = in.readLong();
            store.currentRev = in.readLong();
            store.compactRev = in.readLong();
            int nLeases = in.readInt();
            for (int i = 0; i < nLeases; i++) {
                leases.grant(in.readLong(), in.readLong());
            }
            int nKeys = in.readInt();
            for (int i = 0; i < nKeys; i++) {
                int nRevs = in.readInt();
                TreeMap<Long, MvccStore.Rev> h = new TreeMap<>();
                KeyValue last = null;
                boolean lastTomb = false;
                for (int j = 0; j < nRevs; j++) {
                    long main = in.readLong();
                    long sub = in.readLong();
                    boolean tomb = in.readBoolean();
                    byte[] kv = new byte[in.readInt()];
                    in.readFully(kv);
                    last = KeyValue.parseFrom(kv);
                    lastTomb = tomb;
                    h.put(main, new MvccStore.Rev(main, sub, last, tomb));
                }
                if (last != null) {
                    store.index.put(last.getKey(), h);
                    if (!lastTomb && last.getLease() != 0) {
                        leases.attach(last.getLease(), last.getKey());
                    }
                }
            }
            store.recount();
            return new Restored(applied, format == FORMAT && in.readBoolean());
        } catch (IOException e) {
            throw new UncheckedIOException("etcd store snapshot is unreadable", e);
        }
    }
}
