package dev.ballot.node.config;

import dev.ballot.engine.MemberKind;
import dev.ballot.engine.Protocol;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A ZooKeeper-style properties file: tickTime, initLimit, syncLimit, server.N=host:peerPort:electionPort[:observer],
 * clientPort, dataDir, plus Ballot's clusterId, clientAddress, nodeId and bindHost.
 */
final class ZabPropertiesParser {
    static final List<String> KEYS = List.of("tickTime", "initLimit", "syncLimit", "clientPort", "dataDir",
            "clusterId", "clientAddress", "nodeId", "bindHost");
    /** ZooKeeper settings that Ballot does not implement: named so the error says so rather than "unknown". */
    static final Set<String> ZOOKEEPER_ONLY = Set.of("dataLogDir", "maxClientCnxns", "autopurge.snapRetainCount",
            "autopurge.purgeInterval", "4lw.commands.whitelist", "admin.enableServer", "admin.serverPort",
            "standaloneEnabled", "reconfigEnabled", "quorumListenOnAllIPs", "clientPortAddress", "secureClientPort",
            "minSessionTimeout", "maxSessionTimeout", "electionAlg", "peerType", "dynamicConfigFile",
            "snapCount", "preAllocSize", "globalOutstandingLimit", "leaderServes", "cnxTimeout", "syncEnabled",
            "metricsProvider.className");
    static final String DEFAULT_CLUSTER_ID = "default";
    static final int DEFAULT_CLIENT_PORT = 2379;
    private static final Pattern SERVER_KEY = Pattern.compile("server\\.(\\d+)");
    private static final Pattern ENV_SERVER = Pattern.compile("BALLOT_SERVER_(\\d+)");

    private final String source;
    private final Map<String, String> env;
    private final Map<String, Setting> settings = new LinkedHashMap<>();
    private final TreeMap<Long, Setting> servers = new TreeMap<>();

    ZabPropertiesParser(String source, Map<String, String> env) {
        this.source = source;
        this.env = env;
    }

    NodeConfig parse(String text) throws ConfigException {
        read(text);
        applyEnvironment();
        return build();
    }

    private void read(String text) throws ConfigException {
        String[] lines = text.split("\r?\n", -1);
        Map<String, Integer> seen = new LinkedHashMap<>();
        for (int i = 0; i < lines.length; i++) {
            int lineNo = i + 1;
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#") || line.startsWith("!")) {
                continue;
            }
            if (line.endsWith("\\")) {
                throw new ConfigException(source, "", lineNo, "a line continuation ('\\' at the end of the line)",
                        "write each setting on one line");
            }
            int sep = firstSeparator(line);
            String key = sep < 0 ? line : line.substring(0, sep).strip();
            String value = sep < 0 ? "" : line.substring(sep + 1).strip();
            if (sep < 0 || key.isEmpty()) {
                throw new ConfigException(source, key, lineNo, "not a 'key=value' line",
                        "write settings as key=value, e.g. tickTime=2000");
            }
            if (seen.containsKey(key)) {
                throw new ConfigException(source, key, lineNo, "set twice (first on line " + seen.get(key) + ")",
                        "keep one of the two lines");
            }
            seen.put(key, lineNo);
            if (value.isEmpty()) {
                throw new ConfigException(source, key, lineNo, "empty value",
                        "give it a value or remove the line");
            }
            Matcher server = SERVER_KEY.matcher(key);
            if (server.matches()) {
                long id = serverId(server.group(1), key, lineNo, source);
                servers.put(id, Setting.scalar(key, value, lineNo, source));
            } else if (KEYS.contains(key)) {
                settings.put(key, Setting.scalar(key, value, lineNo, source));
            } else if (ZOOKEEPER_ONLY.contains(key)) {
                throw new ConfigException(source, key, lineNo, "a ZooKeeper setting that Ballot does not support",
                        "remove the line (see docs/node-config.md for the keys Ballot reads)");
            } else {
                throw new ConfigException(source, key, lineNo, "unknown key",
                        Suggest.unknownKeyFix(key, concat(KEYS, "server.N")));
            }
        }
    }

    private static List<String> concat(List<String> a, String b) {
        List<String> all = new ArrayList<>(a);
        all.add(b);
        return all;
    }

    private static long serverId(String digits, String key, int line, String source) throws ConfigException {
        long id;
        try {
            id = Long.parseLong(digits);
        } catch (NumberFormatException e) {
            id = -1;
        }
        if (id < 1 || id > 255_000) {
            throw new ConfigException(source, key, line, "server id '" + digits + "' is outside 1-255000",
                    "number servers from 1 (member ids are positive), e.g. server.1=host:2888:3888");
        }
        return id;
    }

    /** Java properties split a key from its value at the first '=' or ':' (or whitespace). */
    private static int firstSeparator(String line) {
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '=' || c == ':') {
                return i;
            }
            if (Character.isWhitespace(c)) {
                int j = i;
                while (j < line.length() && Character.isWhitespace(line.charAt(j))) {
                    j++;
                }
                return j < line.length() && (line.charAt(j) == '=' || line.charAt(j) == ':') ? j : i;
            }
        }
        return -1;
    }

    private void applyEnvironment() throws ConfigException {
        for (String key : KEYS) {
            Setting override = EnvOverrides.lookup(key, key, env);
            if (override != null) {
                settings.put(key, override);
            }
        }
        for (Map.Entry<String, String> e : env.entrySet()) {
            Matcher m = ENV_SERVER.matcher(e.getKey());
            if (!m.matches()) {
                continue;
            }
            String key = "server." + m.group(1);
            long id = serverId(m.group(1), key, 0, "environment variable " + e.getKey());
            if (e.getValue().isBlank()) {
                servers.remove(id);
            } else {
                servers.put(id, Setting.scalar(key, e.getValue().strip(), 0, "environment variable " + e.getKey()));
            }
        }
    }

    private Setting required(String key, String fix) throws ConfigException {
        Setting s = settings.get(key);
        if (s == null) {
            throw new ConfigException(source, key, 0, "missing", fix);
        }
        return s;
    }

    private static int integer(Setting s, int min, int max, String example) throws ConfigException {
        int v;
        try {
            v = Integer.parseInt(s.value().strip());
        } catch (NumberFormatException e) {
            throw s.error("'" + s.value() + "' is not a whole number", "write a number, e.g. " + s.key() + "=" + example);
        }
        if (v < min || v > max) {
            throw s.error(v + " is outside " + min + "-" + max, "write a number in range, e.g. " + s.key() + "=" + example);
        }
        return v;
    }

    private record Server(long id, HostPort peer, HostPort election, MemberKind kind, Setting setting) {
    }

    private static Server server(long id, Setting s) throws ConfigException {
        String v = s.value().strip();
        String fix = "write server." + id + "=host:peerPort:electionPort[:observer], e.g. server." + id
                + "=10.0.0." + id + ":2888:3888";
        if (v.contains(";")) {
            throw s.error("a per-server client address (';...') is not supported",
                    "remove the ';' part and set clientPort or clientAddress instead");
        }
        String host;
        String rest;
        if (v.startsWith("[")) {
            int close = v.indexOf(']');
            if (close < 0) {
                throw s.error("'" + v + "' opens an IPv6 '[' without ']'", fix);
            }
            host = v.substring(0, close + 1);
            rest = v.substring(close + 1);
            if (!rest.startsWith(":")) {
                throw s.error("'" + v + "' has no ports after the host", fix);
            }
            rest = rest.substring(1);
        } else {
            int colon = v.indexOf(':');
            if (colon < 0) {
                throw s.error("'" + v + "' has no ports", fix);
            }
            host = v.substring(0, colon);
            rest = v.substring(colon + 1);
        }
        String[] parts = rest.split(":", -1);
        if (parts.length < 2 || parts.length > 3) {
            throw s.error("'" + v + "' needs a peer port and an election port", fix);
        }
        MemberKind kind = MemberKind.VOTER;
        if (parts.length == 3) {
            kind = switch (parts[2].strip().toLowerCase(java.util.Locale.ROOT)) {
                case "participant" -> MemberKind.VOTER;
                case "observer" -> MemberKind.OBSERVER;
                default -> throw s.error("unknown role '" + parts[2] + "'", "end the line with ':observer' or ':participant', or nothing");
            };
        }
        HostPort peer;
        HostPort election;
        try {
            peer = HostPort.parse(host + ":" + parts[0].strip());
            election = HostPort.parse(host + ":" + parts[1].strip());
        } catch (IllegalArgumentException e) {
            throw s.error(e.getMessage(), fix);
        }
        if (peer.port() == election.port()) {
            throw s.error("peer port and election port are both " + peer.port(),
                    "use two different ports, e.g. 2888 and 3888");
        }
        return new Server(id, peer, election, kind, s);
    }

    private NodeConfig build() throws ConfigException {
        Setting tickS = required("tickTime", "add tickTime=2000 (milliseconds), or set BALLOT_TICKTIME");
        int tickMs = integer(tickS, (int) NodeConfig.TICK.toMillis(), 60_000, "2000");
        int initLimit = integer(required("initLimit", "add initLimit=10 (ticks), or set BALLOT_INITLIMIT"), 1, 10_000, "10");
        int syncLimit = integer(required("syncLimit", "add syncLimit=5 (ticks), or set BALLOT_SYNCLIMIT"), 1, 10_000, "5");

        Setting clusterS = settings.get("clusterId");
        String clusterId = clusterS == null ? DEFAULT_CLUSTER_ID : clusterS.value().strip();
        if (clusterS != null && !RaftYamlParser.CLUSTER_ID.matcher(clusterId).matches()) {
            throw clusterS.error("'" + clusterId + "' is not a valid cluster id",
                    "use 1-128 letters, digits, '.', '_' or '-', starting with a letter or digit");
        }
        Setting dataS = settings.get("dataDir");
        Path dataDir = dataS == null ? Path.of("./data") : ConfigLoader.path(dataS);

        if (servers.isEmpty()) {
            throw new ConfigException(source, "server.N", 0, "no servers",
                    "list every member as server.N=host:peerPort:electionPort, this node included");
        }
        List<Server> parsed = new ArrayList<>();
        for (Map.Entry<Long, Setting> e : servers.entrySet()) {
            Server s = server(e.getKey(), e.getValue());
            for (Server other : parsed) {
                for (HostPort a : List.of(s.peer, s.election)) {
                    if (a.sameAs(other.peer) || a.sameAs(other.election)) {
                        throw s.setting.error("address " + a + " is also used by " + other.setting.key(),
                                "give every server its own host or ports");
                    }
                }
            }
            parsed.add(s);
        }
        if (parsed.stream().noneMatch(s -> s.kind.votes())) {
            throw new ConfigException(source, "server.N", 0, "every server is an observer",
                    "make at least one server a participant (drop ':observer')");
        }

        Setting bindS = settings.get("bindHost");
        String bindHost = bindS == null ? null : bindS.value().strip();
        if (bindS != null) {
            try {
                HostPort.parse(bindHost.contains(":") && !bindHost.startsWith("[") ? "[" + bindHost + "]:1" : bindHost + ":1");
            } catch (IllegalArgumentException e) {
                throw bindS.error("'" + bindHost + "' is not a host", "set a host name or IP address, e.g. 10.0.0.5");
            }
        }
        HostPort client = clientAddress(bindHost);

        List<PeerSpec> members = new ArrayList<>();
        Map<String, Server> byName = new LinkedHashMap<>();
        for (Server s : parsed) {
            String name = MemberNames.nameOf(s.peer, s.id);
            Server clash = byName.put(name, s);
            if (clash != null) {
                throw s.setting.error("both " + clash.setting.key() + " and " + s.setting.key() + " get the member name '"
                        + name + "'", "give servers host names whose first labels differ, or use IP addresses");
            }
            members.add(new PeerSpec(s.id, name, s.kind, s.peer, s.election, s.peer.withPort(client.port())));
        }
        PeerSpec self = findSelf(members, dataDir);
        Server selfServer = parsed.stream().filter(s -> s.id == self.id()).findFirst().orElseThrow();
        String listenHost = bindHost != null ? bindHost : selfServer.peer.host();
        HostPort peerListen = new HostPort(listenHost, selfServer.peer.port());
        HostPort electionListen = new HostPort(listenHost, selfServer.election.port());
        if (client.port() == peerListen.port() || client.port() == electionListen.port()) {
            Setting which = settings.containsKey("clientAddress") ? settings.get("clientAddress") : settings.get("clientPort");
            String problem = "client port " + client.port() + " is also a server port of " + selfServer.setting.key();
            String fix = "use a different client port, e.g. 2379";
            throw which != null ? which.error(problem, fix) : selfServer.setting.error(problem, fix);
        }
        return new NodeConfig(Protocol.ZAB, clusterId, self.id(), self.name(), members, peerListen, electionListen,
                client, dataDir, null, new ZabTiming(Duration.ofMillis(tickMs), initLimit, syncLimit));
    }

    private HostPort clientAddress(String bindHost) throws ConfigException {
        Setting addrS = settings.get("clientAddress");
        Setting portS = settings.get("clientPort");
        Integer port = portS == null ? null : integer(portS, 1, 65535, "2379");
        if (addrS != null) {
            HostPort a;
            try {
                a = HostPort.parse(addrS.value());
            } catch (IllegalArgumentException e) {
                throw addrS.error(e.getMessage(), "write host:port, e.g. clientAddress=0.0.0.0:2379");
            }
            if (port != null && port != a.port()) {
                throw addrS.error("port " + a.port() + " disagrees with clientPort=" + port + " (" + portS.source()
                                + (portS.line() > 0 ? " line " + portS.line() : "") + ")",
                        "set only one of clientAddress and clientPort, or make the ports equal");
            }
            return a;
        }
        return new HostPort(bindHost != null ? bindHost : "0.0.0.0", port != null ? port : DEFAULT_CLIENT_PORT);
    }

    private PeerSpec findSelf(List<PeerSpec> members, Path dataDir) throws ConfigException {
        String names = String.join(", ", members.stream().map(m -> m.name() + " (server." + m.id() + ")").toList());
        Setting nodeS = settings.get("nodeId");
        PeerSpec byMyid = null;
        Path myidFile = dataDir.resolve("myid");
        if (Files.isRegularFile(myidFile)) {
            String text;
            try {
                text = Files.readString(myidFile, StandardCharsets.UTF_8).strip();
            } catch (IOException e) {
                throw new ConfigException(myidFile.toString(), "myid", 0, "cannot be read: " + e.getMessage(),
                        "make the file readable or delete it and set BALLOT_NODE_ID");
            }
            if (!text.matches("\\d{1,9}")) {
                throw new ConfigException(myidFile.toString(), "myid", 1, "'" + text + "' is not a server id",
                        "write this server's N of server.N into the file, or delete it and set BALLOT_NODE_ID");
            }
            long id = Long.parseLong(text);
            byMyid = members.stream().filter(m -> m.id() == id).findFirst().orElseThrow(() -> new ConfigException(
                    myidFile.toString(), "myid", 1, "server " + id + " is not in the server list (" + names + ")",
                    "add server." + id + "=... to the config or correct the myid file"));
        }
        if (nodeS == null) {
            if (byMyid != null) {
                return byMyid;
            }
            throw new ConfigException(source, "nodeId", 0,
                    "cannot tell which server this node is: no nodeId and no myid file in " + dataDir,
                    "set BALLOT_NODE_ID to this node's member name (" + names + ") or write its server number to "
                            + myidFile);
        }
        String nodeId = nodeS.value().strip();
        PeerSpec self = members.stream().filter(m -> m.name().equals(nodeId)).findFirst().orElse(null);
        if (self == null && nodeId.matches("\\d{1,9}")) {
            long id = Long.parseLong(nodeId);
            self = members.stream().filter(m -> m.id() == id).findFirst().orElse(null);
        }
        if (self == null) {
            throw nodeS.error("'" + nodeId + "' names no server (members: " + names + ")",
                    "set it to this node's member name or server number, or fix the server.N lines");
        }
        if (byMyid != null && byMyid.id() != self.id()) {
            throw nodeS.error("'" + nodeId + "' is server." + self.id() + " but " + myidFile + " says " + byMyid.id(),
                    "correct the myid file or the node id; a data directory belongs to one server");
        }
        return self;
    }
}
