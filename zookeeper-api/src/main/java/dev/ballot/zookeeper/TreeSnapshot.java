package dev.ballot.zookeeper;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.jute.BinaryInputArchive;
import org.apache.jute.BinaryOutputArchive;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.StatPersisted;

/**
 * The data tree's snapshot: last zxid, sessions (id, timeout, password) and every znode in path order (path, data,
 * ACL, persisted stat), in jute's binary archive. Children and ephemeral sets are rebuilt on restore, so the same
 * tree always gives the same bytes.
 */
final class TreeSnapshot {
    private static final int FORMAT = 1;

    private TreeSnapshot() {
    }

    static byte[] write(long lastZxid, Collection<DataTree.Session> sessions, TreeMap<String, ZNode> nodes) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        BinaryOutputArchive a = BinaryOutputArchive.getArchive(bytes);
        try {
            a.writeInt(FORMAT, "format");
            a.writeLong(lastZxid, "lastZxid");
            a.writeInt(sessions.size(), "sessions");
            for (DataTree.Session s : sessions) {
                a.writeLong(s.id(), "id");
                a.writeInt(s.timeoutMs(), "timeout");
                a.writeBuffer(s.passwd(), "passwd");
            }
            a.writeInt(nodes.size(), "nodes");
            for (Map.Entry<String, ZNode> e : nodes.entrySet()) {
                ZNode n = e.getValue();
                a.writeString(e.getKey(), "path");
                a.writeBuffer(n.data, "data");
                a.writeInt(n.acl.size(), "acls");
                for (ACL acl : n.acl) {
                    acl.serialize(a, "acl");
                }
                n.stat.serialize(a, "stat");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static long read(byte[] snapshot, TreeMap<Long, DataTree.Session> sessions, TreeMap<String, ZNode> nodes) {
        BinaryInputArchive a = Jute.archive(snapshot);
        try {
            int format = a.readInt("format");
            if (format != FORMAT) {
                throw new IllegalStateException("ZooKeeper data tree snapshot format " + format + " is not " + FORMAT);
            }
            long lastZxid = a.readLong("lastZxid");
            int count = a.readInt("sessions");
            for (int i = 0; i < count; i++) {
                long id = a.readLong("id");
                int timeout = a.readInt("timeout");
                byte[] passwd = a.readBuffer("passwd");
                sessions.put(id, new DataTree.Session(id, timeout, passwd, new TreeSet<>()));
            }
            count = a.readInt("nodes");
            for (int i = 0; i < count; i++) {
                String path = a.readString("path");
                byte[] data = a.readBuffer("data");
                int acls = a.readInt("acls");
                List<ACL> acl = new ArrayList<>();
                for (int j = 0; j < acls; j++) {
                    ACL x = new ACL();
                    x.deserialize(a, "acl");
                    acl.add(x);
                }
                StatPersisted stat = new StatPersisted();
                stat.deserialize(a, "stat");
                nodes.put(path, new ZNode(data, acl, stat, new TreeSet<>()));
            }
            return lastZxid;
        } catch (IOException e) {
            throw new IllegalStateException("ZooKeeper data tree snapshot is unreadable: " + e.getMessage(), e);
        }
    }
}
