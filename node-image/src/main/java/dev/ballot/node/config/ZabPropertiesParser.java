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
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A ZooKeeper 3.9 static config file (zoo.cfg): tickTime, initLimit, syncLimit,
 * server.N=host:peerPort:electionPort[:participant|:observer][;[clientAddress:]clientPort], clientPort,
 * clientPortAddress, maxClientCnxns, min/maxSessionTimeout, dataDir, plus Ballot's clusterId, clientAddress (the HTTP
 * API), nodeId and bindHost. Every other key ZooKeeper documents is accepted with a warning; an unknown key is refused.
 */
final class ZabPropertiesParser extends ConfigFileParser {
    static final List<String> KEYS = List.of("tickTime", "initLimit", "syncLimit", "clientPort", "clientPortAddress",
            "maxClientCnxns", "minSessionTimeout", "maxSessionTimeout", "dataDir", "clusterId", "clientAddress",
            "nodeId", "bindHost", TlsSettings.ZAB_DIR_KEY, TlsSettings.ZAB_CLIENT_AUTH_KEY, "secureClientPort",
            "secureClientPortAddress", MetricsAddress.ZAB_KEY);
    static final String DEFAULT_CLUSTER_ID = "default";
    /** The HTTP API's port (Ballot's); ZooKeeper clients use {@link ZooKeeperClientConfig#DEFAULT_PORT}. */
    static final int DEFAULT_HTTP_PORT = NodeConfig.DEFAULT_HTTP_PORT;
    private static final Pattern SERVER_KEY = Pattern.compile("server\\.(\\d+)");
    private static final Pattern ENV_SERVER = Pattern.compile("BALLOT_SERVER_(\\d+)");

    private final TreeMap<Long, Setting> servers = new TreeMap<>();
    private final List<String> warnings = new ArrayList<>();

    ZabPropertiesParser(String source, Map<String, String> env) {
        super(source, env);
    }

    @Override
    void read(String text) throws ConfigException {
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
            } else if (ZooKeeperKeys.ignored(key)) {
                warnings.add(source + " line " + lineNo + ": '" + key + "' is a ZooKeeper setting that means nothing"
                        + " to Ballot; ignored");
            } else {
                String near = Suggest.closest(key, ZooKeeperKeys.all(KEYS));
                throw new ConfigException(source, key, lineNo, "unknown key (ZooKeeper 3.9 does not document it)",
                        (near != null ? "did you mean '" + near + "'? " : "") + "remove it or use a key of"
                                + " ZooKeeper's administrator's guide (Ballot reads " + String.join(", ", KEYS)
                                + ", server.N; docs/node-config.md)");
            }
        }
    }

    private static long serverId(String digits, String key, int line, String source) throws ConfigException {
        long id = numberIn(digits, 1, 255_000);
        if (id < 0) {
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

    @Override
    void applyEnvironment() throws ConfigException {
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

    /** @param client the {@code ;[address:]port} suffix, null when absent; a host-less suffix has host 0.0.0.0 */
    private record Server(long id, HostPort peer, HostPort election, MemberKind kind, HostPort client,
                          Setting setting) {
    }

    private static Server server(long id, Setting s) throws ConfigException {
        String v = s.value().strip();
        String fix = "write server." + id + "=host:peerPort:electionPort[:observer][;[clientAddress:]clientPort],"
                + " e.g. server." + id + "=10.0.0." + id + ":2888:3888;2181";
        HostPort client = null;
        int semicolon = v.indexOf(';');
        if (semicolon >= 0) {
            client = clientSuffix(v.substring(semicolon + 1).strip(), s, fix);
            v = v.substring(0, semicolon).strip();
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
        return new Server(id, peer, election, kind, client, s);
    }

    /** ZooKeeper's {@code ;2181} or {@code ;host:2181} after a server's ports: where it serves clients. */
    private static HostPort clientSuffix(String suffix, Setting s, String fix) throws ConfigException {
        try {
            if (suffix.matches("\\d+")) {
                return new HostPort("0.0.0.0", portNumber(suffix));
            }
            return HostPort.parse(suffix);
        } catch (IllegalArgumentException e) {
            throw s.error("client address '" + suffix + "' after ';': " + e.getMessage(), fix);
        }
    }

    private static int portNumber(String digits) {
        int port = (int) numberIn(digits, 1, 65535);
        if (port < 0) {
            throw new IllegalArgumentException("port " + digits + " is outside 1-65535");
        }
        return port;
    }

    /** {@code digits} as a number if it is one in {@code [min, max]}, else -1 (the caller says what was wrong). */
    private static long numberIn(String digits, long min, long max) {
        try {
            long n = Long.parseLong(digits);
            return n >= min && n <= max ? n : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    @Override
    NodeConfig build() throws ConfigException {
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
        String bindHost = bindS == null ? null : hostOnly(bindS);
        HostPort http = httpAddress(bindHost);
        Integer zkPort = zooKeeperClientPort(http);

        List<PeerSpec> members = new ArrayList<>();
        Map<String, Server> byName = new LinkedHashMap<>();
        for (Server s : parsed) {
            String name = MemberNames.nameOf(s.peer, s.id);
            Server clash = byName.put(name, s);
            if (clash != null) {
                throw s.setting.error("both " + clash.setting.key() + " and " + s.setting.key() + " get the member name '"
                        + name + "'", "give servers host names whose first labels differ, or use IP addresses");
            }
            members.add(new PeerSpec(s.id, name, s.kind, s.peer, s.election, s.peer.withPort(http.port())));
        }
        PeerSpec self = findSelf(members, dataDir);
        Server selfServer = parsed.stream().filter(s -> s.id == self.id()).findFirst().orElseThrow();
        String listenHost = bindHost != null ? bindHost : selfServer.peer.host();
        HostPort peerListen = new HostPort(listenHost, selfServer.peer.port());
        HostPort electionListen = new HostPort(listenHost, selfServer.election.port());
        TlsSettings tls = TlsSettings.parse(settings.get(TlsSettings.ZAB_DIR_KEY), settings.get(TlsSettings.ZAB_CLIENT_AUTH_KEY));
        Integer securePort = secureClientPort(tls, zkPort != null || selfServer.client != null);
        ZooKeeperClientConfig zk = zkPort == null && selfServer.client == null && securePort == null ? null
                : zooKeeperClient(parsed, selfServer, zkPort, securePort, bindHost, tickMs);
        Setting httpS = settings.containsKey("clientAddress") ? settings.get("clientAddress") : null;
        List<Integer> serverPorts = List.of(peerListen.port(), electionListen.port());
        if (serverPorts.contains(http.port())) {
            String problem = "HTTP API port " + http.port() + " is also a server port of " + selfServer.setting.key();
            String fix = "use a different port for the HTTP API, e.g. clientAddress=0.0.0.0:8080";
            throw httpS != null ? httpS.error(problem, fix) : selfServer.setting.error(problem, fix);
        }
        if (zk != null && zk.secureListen() != null && (serverPorts.contains(zk.secureListen().port())
                || zk.secureListen().port() == http.port()
                || (zk.listen() != null && zk.listen().port() == zk.secureListen().port()))) {
            throw settings.get("secureClientPort").error("secure client port " + zk.secureListen().port()
                    + " is also the HTTP API's, the plain client port's or a server port",
                    "give it a port of its own, e.g. secureClientPort=" + ZooKeeperClientConfig.DEFAULT_SECURE_PORT);
        }
        if (zk != null && zk.listen() != null && (serverPorts.contains(zk.listen().port()) || zk.listen().port() == http.port())) {
            Setting which = selfServer.client != null ? selfServer.setting
                    : settings.containsKey("clientPort") ? settings.get("clientPort") : selfServer.setting;
            String problem = "client port " + zk.listen().port() + " is also "
                    + (zk.listen().port() == http.port() ? "the HTTP API's port (clientAddress)"
                    : "a server port of " + selfServer.setting.key());
            throw which.error(problem, zk.listen().port() == http.port()
                    ? "give the HTTP API (clientAddress, default port 8080) and ZooKeeper clients (clientPort, default"
                    + " 2181) different ports" : "use a different client port, e.g. clientPort=2181");
        }
        Map<Integer, String> taken = new LinkedHashMap<>();
        if (zk != null && zk.secureListen() != null) {
            taken.put(zk.secureListen().port(), "the secure ZooKeeper client port (secureClientPort)");
        }
        if (zk != null && zk.listen() != null) {
            taken.put(zk.listen().port(), "the ZooKeeper client port (clientPort)");
        }
        taken.put(peerListen.port(), "the quorum port of " + selfServer.setting.key());
        taken.put(electionListen.port(), "the election port of " + selfServer.setting.key());
        taken.put(http.port(), "the HTTP API's (clientAddress)");
        HostPort metrics = MetricsAddress.parse(settings.get(MetricsAddress.ZAB_KEY), taken);
        return new NodeConfig(Protocol.ZAB, clusterId, self.id(), self.name(), members, peerListen, electionListen,
                http, dataDir, null, new ZabTiming(Duration.ofMillis(tickMs), initLimit, syncLimit), zk, warnings, null,
                ClientLimits.defaults(), tls, Long.MAX_VALUE, metrics);
    }

    /** Ballot's HTTP API: clientAddress, else bindHost (or 0.0.0.0) on 8080. */
    private HostPort httpAddress(String bindHost) throws ConfigException {
        Setting addrS = settings.get("clientAddress");
        if (addrS == null) {
            return new HostPort(bindHost != null ? bindHost : "0.0.0.0", DEFAULT_HTTP_PORT);
        }
        try {
            return HostPort.parse(addrS.value());
        } catch (IllegalArgumentException e) {
            throw addrS.error(e.getMessage(), "write host:port, e.g. clientAddress=0.0.0.0:8080");
        }
    }

    /**
     * clientPort as ZooKeeper means it, the ZooKeeper client port; null when unset (then, as in ZooKeeper, only a
     * server's {@code ;port} suffix gives one, and without either no ZooKeeper clients are served). Older Ballot files (and the
     * operator's) wrote clientPort equal to the HTTP API's port: that is read as the old spelling, with a warning,
     * and ZooKeeper clients get the default 2181.
     */
    private Integer zooKeeperClientPort(HostPort http) throws ConfigException {
        Setting portS = settings.get("clientPort");
        if (portS == null) {
            return null;
        }
        int port = integer(portS, 1, 65535, "2181");
        if (port == http.port()) {
            warnings.add(where(portS) + ": clientPort=" + port + " is the HTTP API's port (Ballot's older meaning of"
                    + " clientPort), so no ZooKeeper client port is set and ZooKeeper clients are not served."
                    + " Write clientPort=" + ZooKeeperClientConfig.DEFAULT_PORT + " to serve them, and"
                    + " clientAddress=host:" + port + " for the HTTP API");
            return null;
        }
        return port;
    }

    /**
     * secureClientPort, null when unset or TLS is off (warned). With TLS on, a plain client port alone is refused:
     * clients would connect without TLS and followers would link to their leader (proposing txns) in plain TCP. Both
     * ports together are the user's choice to serve plain clients too (ZooKeeper's own migration setup).
     */
    private Integer secureClientPort(TlsSettings tls, boolean plainPort) throws ConfigException {
        Setting s = settings.get("secureClientPort");
        if (s == null) {
            if (tls != null && plainPort) {
                Setting plain = settings.containsKey("clientPort") ? settings.get("clientPort") : servers.firstEntry().getValue();
                throw plain.error("TLS is on (" + TlsSettings.ZAB_DIR_KEY + ") but ZooKeeper clients would be served in"
                        + " plain TCP only, and members link to their leader over the client port",
                        "add secureClientPort=" + ZooKeeperClientConfig.DEFAULT_SECURE_PORT + " (ZooKeeper's TLS client"
                        + " port); keep clientPort as well only if clients without TLS must still connect");
            }
            return null;
        }
        int port = integer(s, 1, 65535, Integer.toString(ZooKeeperClientConfig.DEFAULT_SECURE_PORT));
        if (tls == null) {
            // A production zoo.cfg names its keystores with ZooKeeper's ssl.* keys, which Ballot ignores: accept the
            // file (issue 13) and say how to turn the port on.
            warnings.add(where(s) + ": 'secureClientPort' is not served: TLS is off (Ballot's TLS material comes from "
                    + TlsSettings.ZAB_DIR_KEY + ", a directory holding tls.crt, tls.key and ca.crt; ZooKeeper's ssl.*"
                    + " keys are ignored). Set " + TlsSettings.ZAB_DIR_KEY + " to serve it");
            return null;
        }
        return port;
    }

    private ZooKeeperClientConfig zooKeeperClient(List<Server> parsed, Server selfServer, Integer clientPort,
                                                  Integer securePort, String bindHost, int tickMs) throws ConfigException {
        Setting portAddrS = settings.get("clientPortAddress");
        String host = portAddrS != null ? hostOnly(portAddrS) : bindHost != null ? bindHost : "0.0.0.0";
        boolean plain = clientPort != null || selfServer.client != null;
        int port = clientPort != null ? clientPort : ZooKeeperClientConfig.DEFAULT_PORT;
        HostPort listen = plain ? new HostPort(host, port) : null;
        HostPort secureListen = null;
        Map<Long, HostPort> secureAddresses = new TreeMap<>();
        if (securePort != null) {
            Setting secureAddrS = settings.get("secureClientPortAddress");
            secureListen = new HostPort(secureAddrS != null ? hostOnly(secureAddrS) : host, securePort);
            for (Server s : parsed) {
                secureAddresses.put(s.id, s.peer.withPort(securePort));
            }
        }
        if (selfServer.client != null) {
            if (clientPort != null && clientPort != selfServer.client.port()) {
                throw selfServer.setting.error("client port " + selfServer.client.port() + " after ';' disagrees with"
                        + " clientPort=" + clientPort + " (" + where(settings.get("clientPort")) + ")",
                        "make them equal or drop one (ZooKeeper refuses this too)");
            }
            listen = selfServer.client.host().equals("0.0.0.0") ? new HostPort(host, selfServer.client.port()) : selfServer.client;
        }
        Map<Long, HostPort> addresses = new TreeMap<>();
        for (Server s : parsed) {
            if (!plain) {
                break;
            }
            HostPort a = s.client == null ? s.peer.withPort(port) : s.client;
            addresses.put(s.id, a.host().equals("0.0.0.0") ? s.peer.withPort(a.port()) : a);
        }
        int maxCnxns = settings.containsKey("maxClientCnxns")
                ? integer(settings.get("maxClientCnxns"), 0, 1_000_000, "60") : ZooKeeperClientConfig.DEFAULT_MAX_CLIENT_CNXNS;
        int minTimeout = settings.containsKey("minSessionTimeout")
                ? integer(settings.get("minSessionTimeout"), 1, Integer.MAX_VALUE, Integer.toString(2 * tickMs)) : 2 * tickMs;
        int maxTimeout = settings.containsKey("maxSessionTimeout")
                ? integer(settings.get("maxSessionTimeout"), 1, Integer.MAX_VALUE, Integer.toString(20 * tickMs)) : 20 * tickMs;
        if (minTimeout > maxTimeout) {
            Setting which = settings.containsKey("minSessionTimeout") ? settings.get("minSessionTimeout")
                    : settings.get("maxSessionTimeout");
            throw which.error("minSessionTimeout " + minTimeout + " ms is above maxSessionTimeout " + maxTimeout + " ms",
                    "make minSessionTimeout <= maxSessionTimeout (defaults: 2 and 20 ticks)");
        }
        return new ZooKeeperClientConfig(listen, addresses, secureListen, secureAddresses, maxCnxns, Duration.ofMillis(minTimeout),
                Duration.ofMillis(maxTimeout));
    }

    private static String hostOnly(Setting s) throws ConfigException {
        String h = s.value().strip();
        try {
            HostPort.parse(h.contains(":") && !h.startsWith("[") ? "[" + h + "]:1" : h + ":1");
        } catch (IllegalArgumentException e) {
            throw s.error("'" + h + "' is not a host", "set a host name or IP address, e.g. " + s.key() + "=10.0.0.5");
        }
        return h;
    }

    private static String where(Setting s) {
        return s.source() + (s.line() > 0 ? " line " + s.line() : "");
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
