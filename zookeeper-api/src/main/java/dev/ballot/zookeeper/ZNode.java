package dev.ballot.zookeeper;

import java.util.List;
import java.util.TreeSet;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Stat;
import org.apache.zookeeper.data.StatPersisted;

/** One znode: data, ACL, the persisted part of its stat, and its children's names (kept sorted, so output is stable). */
final class ZNode {
    byte[] data;
    List<ACL> acl;
    final StatPersisted stat;
    final TreeSet<String> children;

    ZNode(byte[] data, List<ACL> acl, StatPersisted stat, TreeSet<String> children) {
        this.data = data == null ? new byte[0] : data;
        this.acl = List.copyOf(acl);
        this.stat = stat;
        this.children = children;
    }

    ZNode copy() {
        StatPersisted s = new StatPersisted(stat.getCzxid(), stat.getMzxid(), stat.getCtime(), stat.getMtime(),
                stat.getVersion(), stat.getCversion(), stat.getAversion(), stat.getEphemeralOwner(), stat.getPzxid());
        return new ZNode(data, acl, s, new TreeSet<>(children));
    }

    Stat toStat() {
        return new Stat(stat.getCzxid(), stat.getMzxid(), stat.getCtime(), stat.getMtime(), stat.getVersion(),
                stat.getCversion(), stat.getAversion(), stat.getEphemeralOwner(), data.length, children.size(),
                stat.getPzxid());
    }

    boolean isEphemeral() {
        return stat.getEphemeralOwner() != 0 && stat.getEphemeralOwner() != DataTree.CONTAINER_OWNER;
    }
}
