package dev.ballot.zookeeper;

import dev.ballot.zookeeper.TxnResult.WatchEvent;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * This member's watches, per connection (ZooKeeper's WatchManager): one-shot data/exists and child watches,
 * persistent and persistent-recursive ones. A trigger reaches each connection once even when several of its
 * watches match, and a one-shot watch is gone once triggered.
 */
final class Watches {
    /** ZooKeeper's WatcherType numbers (removeWatches/checkWatches) and AddWatchMode numbers. */
    static final int TYPE_CHILDREN = 1;
    static final int TYPE_DATA = 2;
    static final int TYPE_ANY = 3;
    static final int TYPE_PERSISTENT = 4;
    static final int TYPE_PERSISTENT_RECURSIVE = 5;
    static final int MODE_PERSISTENT = 0;
    static final int MODE_PERSISTENT_RECURSIVE = 1;

    /** Where an event goes. */
    interface Target {
        void event(int type, String path, long zxid);
    }

    private final Map<String, Set<Target>> data = new HashMap<>();
    private final Map<String, Set<Target>> child = new HashMap<>();
    private final Map<String, Set<Target>> persistent = new HashMap<>();
    private final Map<String, Set<Target>> recursive = new HashMap<>();

    synchronized void addData(String path, Target t) {
        data.computeIfAbsent(path, p -> new LinkedHashSet<>()).add(t);
    }

    synchronized void addChild(String path, Target t) {
        child.computeIfAbsent(path, p -> new LinkedHashSet<>()).add(t);
    }

    synchronized void addPersistent(String path, Target t, boolean isRecursive) {
        (isRecursive ? recursive : persistent).computeIfAbsent(path, p -> new LinkedHashSet<>()).add(t);
    }

    synchronized void removeAll(Target t) {
        for (Map<String, Set<Target>> m : java.util.List.of(data, child, persistent, recursive)) {
            m.values().forEach(s -> s.remove(t));
            m.values().removeIf(Set::isEmpty);
        }
    }

    /** Removes (or with {@code remove} false only checks) the watches of one type; false when there were none. */
    synchronized boolean remove(String path, int type, Target t, boolean remove) {
        boolean found = false;
        if (type == TYPE_CHILDREN || type == TYPE_ANY) {
            found |= drop(child, path, t, remove);
        }
        if (type == TYPE_DATA || type == TYPE_ANY) {
            found |= drop(data, path, t, remove);
        }
        if (type == TYPE_PERSISTENT || type == TYPE_ANY) {
            found |= drop(persistent, path, t, remove);
        }
        if (type == TYPE_PERSISTENT_RECURSIVE || type == TYPE_ANY) {
            found |= drop(recursive, path, t, remove);
        }
        return found;
    }

    private static boolean drop(Map<String, Set<Target>> m, String path, Target t, boolean remove) {
        Set<Target> s = m.get(path);
        if (s == null || !s.contains(t)) {
            return false;
        }
        if (remove) {
            s.remove(t);
            if (s.isEmpty()) {
                m.remove(path);
            }
        }
        return true;
    }

    synchronized int count() {
        int n = 0;
        for (Map<String, Set<Target>> m : java.util.List.of(data, child, persistent, recursive)) {
            n += m.values().stream().mapToInt(Set::size).sum();
        }
        return n;
    }

    /** Fires one event: called in apply order, under the data tree's lock. */
    void trigger(WatchEvent e, long zxid) {
        Set<Target> targets = new LinkedHashSet<>();
        synchronized (this) {
            String path = e.path();
            if (e.type() == WatchEvent.NODE_CHILDREN_CHANGED) {
                take(child, path, targets);
                targets.addAll(persistent.getOrDefault(path, Set.of()));
            } else {
                take(data, path, targets);
                if (e.type() == WatchEvent.NODE_DELETED) {
                    take(child, path, targets);
                }
                targets.addAll(persistent.getOrDefault(path, Set.of()));
                for (String p = path; ; p = Paths.parent(p)) {
                    targets.addAll(recursive.getOrDefault(p, Set.of()));
                    if (p.equals("/")) {
                        break;
                    }
                }
            }
        }
        for (Target t : targets) {
            t.event(e.type(), e.path(), zxid);
        }
    }

    private static void take(Map<String, Set<Target>> m, String path, Set<Target> into) {
        Set<Target> s = m.remove(path);
        if (s != null) {
            into.addAll(s);
        }
    }
}
