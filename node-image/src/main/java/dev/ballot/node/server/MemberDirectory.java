package dev.ballot.node.server;

import dev.ballot.engine.Member;
import dev.ballot.engine.Membership;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Member names and client addresses. The engine knows members by numeric id and peer address;
 * the API speaks names (docs/conventions.md) and sends clients to the leader's client address.
 */
public final class MemberDirectory {
    /** One member as the API presents it. */
    public record Entry(long id, String name, String peerAddress, String clientAddress) {
    }

    private final Map<Long, Entry> byId = new ConcurrentHashMap<>();
    private final int defaultClientPort;

    public MemberDirectory(List<Entry> configured, int defaultClientPort) {
        this.defaultClientPort = defaultClientPort;
        for (Entry e : configured) {
            byId.put(e.id(), e);
        }
    }

    /** The conventions' rule: first DNS label of a hostname, {@code node-<id>} for an IP address. */
    public static String nameFor(long id, String peerAddress) {
        String host = hostOf(peerAddress);
        if (host.isEmpty() || host.chars().allMatch(c -> Character.isDigit(c) || c == '.') || host.contains(":")) {
            return "node-" + id;
        }
        int dot = host.indexOf('.');
        return dot < 0 ? host : host.substring(0, dot);
    }

    /** The engine id a name stands for when no configured member has it: {@code node-N} is N, {@code x-N} (a pod ordinal) is N+1. */
    public static Optional<Long> idForNewName(String name) {
        int dash = name.lastIndexOf('-');
        if (dash < 0 || dash == name.length() - 1) {
            return Optional.empty();
        }
        try {
            long n = Long.parseLong(name.substring(dash + 1));
            if (n < 0) {
                return Optional.empty();
            }
            return Optional.of(name.startsWith("node-") && dash == 4 ? n : n + 1);
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    public static String hostOfAddress(String address) {
        return hostOf(address);
    }

    public int defaultClientPort() {
        return defaultClientPort;
    }

    /** Add or replace a member's entry (an admin call names a new member before it joins). */
    public void register(Entry entry) {
        byId.put(entry.id(), entry);
    }

    static String hostOf(String address) {
        if (address == null) {
            return "";
        }
        if (address.startsWith("[")) {
            int end = address.indexOf(']');
            return end < 0 ? address : address.substring(1, end);
        }
        int colon = address.indexOf(':');
        return colon < 0 ? address : address.substring(0, colon);
    }

    /** Learn members added at run time (their address arrives with the configuration entry). */
    public void learn(Membership membership) {
        for (Member m : membership.members()) {
            byId.computeIfAbsent(m.id(), id -> new Entry(id, nameFor(id, m.address()), m.address(),
                    hostOf(m.address()) + ":" + defaultClientPort));
        }
    }

    /** Every member id known, configured or learned. */
    public java.util.Set<Long> ids() {
        return java.util.Set.copyOf(byId.keySet());
    }

    public Optional<Entry> byId(long id) {
        return Optional.ofNullable(byId.get(id));
    }

    public String name(long id) {
        Entry e = byId.get(id);
        return e != null ? e.name() : "node-" + id;
    }

    public Optional<String> clientAddress(long id) {
        return byId(id).map(Entry::clientAddress);
    }

    /** Resolve a name from a request: a known member's name, or {@code node-N}. */
    public Optional<Long> idOf(String name) {
        for (Entry e : byId.values()) {
            if (e.name().equals(name)) {
                return Optional.of(e.id());
            }
        }
        if (name.startsWith("node-")) {
            try {
                long id = Long.parseLong(name.substring(5));
                return byId.containsKey(id) ? Optional.of(id) : Optional.empty();
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        }
        return Optional.empty();
    }
}
