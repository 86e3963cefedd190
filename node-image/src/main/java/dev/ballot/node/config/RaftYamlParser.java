package dev.ballot.node.config;

import dev.ballot.engine.MemberKind;
import dev.ballot.engine.Protocol;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * The seed's Raft YAML ({@code raft:} with cluster_id, node_id, listen_address, peers, timeouts) plus Ballot's keys,
 * among them {@code learners}: non-voting members, numbered after the peers, and {@code rejoining_learners}: names of
 * {@code peers} entries that start as learners in their place (a member being replaced after it lost its storage
 * keeps its position, so its member id, yet must join empty as a learner; docs/node-config.md).
 */
final class RaftYamlParser extends ConfigFileParser {
    static final List<String> KEYS = List.of("cluster_id", "node_id", "listen_address", "peers", "learners",
            "rejoining_learners", "election_timeout_min", "election_timeout_max", "heartbeat_interval",
            "client_address", "advertise_address", "data_dir", "etcd_address", ClientLimits.REQUEST_KEY,
            ClientLimits.KEY_KEY, ClientLimits.VALUE_KEY, ClientLimits.CONNECTIONS_KEY, ClientLimits.SUBSCRIBERS_KEY,
            ClientLimits.READ_TIMEOUT_KEY, TlsSettings.DIR_KEY, TlsSettings.CLIENT_AUTH_KEY, "quota_bytes",
            MetricsAddress.RAFT_KEY);
    static final Pattern CLUSTER_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    static final Duration MAX_TIMEOUT = Duration.ofSeconds(60);

    private int raftLine;
    /** List keys ({@code peers}, {@code learners}): line of each item in the file (absent when from the environment). */
    private final Map<String, List<Integer>> itemLines = new LinkedHashMap<>();

    RaftYamlParser(String source, Map<String, String> env) {
        super(source, env);
    }

    @Override
    void read(String text) throws ConfigException {
        Node root;
        try {
            root = new Yaml(new SafeConstructor(new LoaderOptions())).compose(new java.io.StringReader(text));
        } catch (MarkedYAMLException e) {
            int line = e.getProblemMark() == null ? 0 : e.getProblemMark().getLine() + 1;
            throw new ConfigException(source, "", line, "not valid YAML: " + e.getProblem(),
                    "fix the YAML syntax (indent with spaces, quote values that contain ': ')");
        } catch (YAMLException e) {
            throw new ConfigException(source, "", 0, "not valid YAML: " + e.getMessage(), "fix the YAML syntax");
        }
        if (!(root instanceof MappingNode top)) {
            throw new ConfigException(source, "", 1, "the document is not a mapping",
                    "start the file with 'raft:' and indent its keys under it");
        }
        MappingNode raft = null;
        for (NodeTuple t : top.getValue()) {
            String key = scalarKey(t, "");
            if (!key.equals("raft")) {
                throw new ConfigException(source, key, line(t.getKeyNode()), "unknown top-level key",
                        "put every setting under 'raft:'; the only top-level key is 'raft'");
            }
            if (!(t.getValueNode() instanceof MappingNode m)) {
                throw new ConfigException(source, "raft", line(t.getKeyNode()), "'raft' is not a mapping",
                        "indent the settings (cluster_id, node_id, ...) under 'raft:'");
            }
            raft = m;
            raftLine = line(t.getKeyNode());
        }
        if (raft == null) {
            throw new ConfigException(source, "raft", 0, "no 'raft:' section", "start the file with 'raft:'");
        }
        for (NodeTuple t : raft.getValue()) {
            String key = scalarKey(t, "raft.");
            String display = "raft." + key;
            int line = line(t.getKeyNode());
            if (!KEYS.contains(key)) {
                throw new ConfigException(source, display, line, "unknown key", Suggest.unknownKeyFix(key, KEYS));
            }
            if (settings.containsKey(key)) {
                throw new ConfigException(source, display, line,
                        "set twice (first on line " + settings.get(key).line() + ")", "keep one of the two lines");
            }
            Node value = t.getValueNode();
            if (isList(key)) {
                if (!(value instanceof SequenceNode seq)) {
                    throw new ConfigException(source, display, line, "not a list",
                            "write one '- \"host:port\"' line per member under '" + key + ":'");
                }
                List<String> items = new ArrayList<>();
                List<Integer> lines = new ArrayList<>();
                for (Node item : seq.getValue()) {
                    if (!(item instanceof ScalarNode s)) {
                        throw new ConfigException(source, display, line(item), "a list item is not a plain value",
                                "write each member as \"host:port\"");
                    }
                    items.add(s.getValue());
                    lines.add(line(item));
                }
                itemLines.put(key, lines);
                settings.put(key, new Setting(display, String.join(",", items), items, line, source));
            } else {
                if (!(value instanceof ScalarNode s)) {
                    throw new ConfigException(source, display, line, "not a single value",
                            "write '" + key + ": <value>' on one line");
                }
                if (s.getValue().isBlank()) {
                    throw new ConfigException(source, display, line, "empty value",
                            "give it a value or remove the line to use the default");
                }
                settings.put(key, Setting.scalar(display, s.getValue(), line, source));
            }
        }
    }

    private static boolean isList(String key) {
        return key.equals("peers") || key.equals("learners") || key.equals("rejoining_learners");
    }

    private String scalarKey(NodeTuple t, String prefix) throws ConfigException {
        if (!(t.getKeyNode() instanceof ScalarNode s)) {
            throw new ConfigException(source, prefix, line(t.getKeyNode()), "a key is not a plain name",
                    "use plain keys such as 'cluster_id'");
        }
        return s.getValue();
    }

    private static int line(Node n) {
        return n.getStartMark() == null ? 0 : n.getStartMark().getLine() + 1;
    }

    @Override
    void applyEnvironment() throws ConfigException {
        for (String key : KEYS) {
            Setting override = EnvOverrides.lookup(key, "raft." + key, env);
            if (override == null) {
                continue;
            }
            if (isList(key)) {
                List<String> items = Arrays.stream(override.value().split(",")).map(String::trim)
                        .filter(s -> !s.isEmpty()).toList();
                override = new Setting(override.key(), override.value(), items, 0, override.source());
                itemLines.remove(key);
            }
            settings.put(key, override);
        }
    }

    private Setting required(String key, String fix) throws ConfigException {
        Setting s = settings.get(key);
        if (s == null) {
            throw new ConfigException(source, "raft." + key, raftLine, "missing", fix);
        }
        return s;
    }

    private Setting optional(String key, String defaultValue) {
        Setting s = settings.get(key);
        return s != null ? s : Setting.scalar("raft." + key, defaultValue, 0, source + " (default)");
    }

    private static HostPort address(Setting s) throws ConfigException {
        try {
            return HostPort.parse(s.value());
        } catch (IllegalArgumentException e) {
            throw s.error(e.getMessage(), "write host:port, e.g. \"10.0.0.1:2380\"");
        }
    }

    @Override
    NodeConfig build() throws ConfigException {
        Setting clusterSetting = required("cluster_id", "add 'cluster_id: \"my-cluster\"' under 'raft:' (or set BALLOT_CLUSTER_ID)");
        String clusterId = clusterSetting.value().trim();
        if (!CLUSTER_ID.matcher(clusterId).matches()) {
            throw clusterSetting.error("'" + clusterId + "' is not a valid cluster id",
                    "use 1-128 letters, digits, '.', '_' or '-', starting with a letter or digit");
        }
        Setting listenSetting = required("listen_address",
                "add 'listen_address: \"<this node's ip>:2380\"' (or set BALLOT_LISTEN_ADDRESS)");
        HostPort listen = address(listenSetting);
        Setting advertiseSetting = settings.get("advertise_address");
        HostPort advertise = advertiseSetting == null ? null : address(advertiseSetting);
        Setting clientSetting = optional("client_address", "0.0.0.0:" + NodeConfig.DEFAULT_HTTP_PORT);
        HostPort client = address(clientSetting);
        Setting dataSetting = optional("data_dir", "./data");
        Path dataDir = ConfigLoader.path(dataSetting);

        Setting peersSetting = required("peers", "add 'peers:' with one '- \"host:port\"' per member, this node included");
        if (peersSetting.items().isEmpty()) {
            throw peersSetting.error("the list is empty", "list every member's host:port, this node included");
        }
        List<PeerSpec> members = new ArrayList<>();
        addMembers(members, "peers", peersSetting, MemberKind.VOTER, client);
        Setting learnersSetting = settings.get("learners");
        if (learnersSetting != null) {
            addMembers(members, "learners", learnersSetting, MemberKind.LEARNER, client);
        }
        rejoinAsLearners(members, settings.get("rejoining_learners"));

        PeerSpec self = findSelf(members, listenSetting, listen, advertiseSetting, advertise);
        checkPorts(listenSetting, listen, clientSetting, client);
        RaftTiming timing = timing();
        Setting etcdSetting = settings.get("etcd_address");
        HostPort etcd = etcdSetting == null ? null : address(etcdSetting);
        if (etcd != null && (etcd.port() == client.port() || etcd.port() == listen.port())) {
            throw etcdSetting.error("port " + etcd.port() + " is already the " + (etcd.port() == client.port()
                    ? "HTTP API's (client_address)" : "peer port (listen_address)"),
                    "give the etcd API its own port, e.g. 2379 (etcd's client port) with the HTTP API on 8080");
        }
        Map<Integer, String> taken = new LinkedHashMap<>();
        if (etcd != null) {
            taken.put(etcd.port(), "the etcd API's (etcd_address)");
        }
        taken.put(listen.port(), "the peer port (listen_address)");
        taken.put(client.port(), "the HTTP API's (client_address)");
        HostPort metrics = MetricsAddress.parse(settings.get(MetricsAddress.RAFT_KEY), taken);
        return new NodeConfig(Protocol.RAFT, clusterId, self.id(), self.name(), members, listen, null, client,
                dataDir, timing, null, null, List.of(), etcd, limits(),
                TlsSettings.parse(settings.get(TlsSettings.DIR_KEY), settings.get(TlsSettings.CLIENT_AUTH_KEY)),
                settings.containsKey("quota_bytes") ? size("quota_bytes", 0, 1024) : Long.MAX_VALUE, metrics);
    }

    private ClientLimits limits() throws ConfigException {
        ClientLimits d = ClientLimits.defaults();
        int request = size(ClientLimits.REQUEST_KEY, d.maxRequestBytes(), 1024);
        int key = size(ClientLimits.KEY_KEY, d.maxKeyBytes(), 1);
        int value = size(ClientLimits.VALUE_KEY, d.maxValueBytes(), 1);
        if (value > request) {
            throw optional(ClientLimits.VALUE_KEY, "").error(value + " bytes is more than max_request_bytes ("
                    + request + ")", "a value travels in a request: raise max_request_bytes too, or lower this");
        }
        int connections = size(ClientLimits.CONNECTIONS_KEY, d.maxClientConnections(), 1);
        int subscribers = size(ClientLimits.SUBSCRIBERS_KEY, d.maxEventSubscribers(), 0);
        Setting t = optional(ClientLimits.READ_TIMEOUT_KEY, Durations.format(d.requestReadTimeout()));
        Duration timeout = Durations.parse(t);
        if (timeout.toSeconds() < 1) {
            throw t.error(Durations.format(timeout) + " is under 1s", "use at least \"1s\" (the HTTP server counts whole seconds)");
        }
        return new ClientLimits(request, key, value, connections, subscribers, timeout);
    }

    private int size(String key, int defaultValue, int min) throws ConfigException {
        Setting s = optional(key, Integer.toString(defaultValue));
        Integer n = ClientLimits.parseSize(s.value());
        if (n == null || n < min) {
            throw s.error("'" + s.value() + "' is not a count or size of at least " + min,
                    "write a whole number, for sizes optionally with B, KiB or MiB (e.g. \"1536KiB\")");
        }
        return n;
    }

    /** Appends one member per item of the list {@code key}, ids continuing after those already there. */
    private void addMembers(List<PeerSpec> members, String key, Setting list, MemberKind kind, HostPort client)
            throws ConfigException {
        List<Integer> lines = itemLines.getOrDefault(key, List.of());
        int voters = (int) members.stream().filter(m -> m.kind() == MemberKind.VOTER).count();
        for (int i = 0; i < list.items().size(); i++) {
            int line = i < lines.size() ? lines.get(i) : 0;
            Setting one = new Setting("raft." + key + "[" + i + "]", list.items().get(i), List.of(), line, list.source());
            HostPort address = address(one);
            long id = members.size() + 1L;
            String name = MemberNames.nameOf(address, id);
            for (PeerSpec other : members) {
                String where = other.kind() == MemberKind.VOTER ? "peers[" + (other.id() - 1) + "]"
                        : "learners[" + (other.id() - 1 - voters) + "]";
                if (other.peerAddress().sameAs(address)) {
                    throw one.error("'" + address + "' is listed twice (also " + where + ")",
                            "list every member once" + (key.equals("learners") || other.kind() != kind
                                    ? ", in peers (voters) or in learners, not both" : ""));
                }
                if (other.name().equals(name)) {
                    throw one.error("'" + address + "' and " + where + " '" + other.peerAddress()
                                    + "' both get the member name '" + name + "'",
                            "give members host names whose first labels differ, or use IP addresses");
                }
            }
            members.add(new PeerSpec(id, name, kind, address, null, address.withPort(client.port())));
        }
    }

    /**
     * Turns the peers that {@code rejoining_learners} names into learners, in place: they keep their ids. A member whose
     * storage was lost is removed from the configuration and added again as a learner under the same id; its file must
     * say so, or it would start as the voter it no longer is (and its empty storage would stop it: needs replacement).
     */
    private static void rejoinAsLearners(List<PeerSpec> members, Setting rejoining) throws ConfigException {
        if (rejoining == null) {
            return;
        }
        for (int i = 0; i < rejoining.items().size(); i++) {
            String name = rejoining.items().get(i).trim();
            int at = -1;
            for (int m = 0; m < members.size(); m++) {
                if (members.get(m).name().equals(name)) {
                    at = m;
                }
            }
            if (at < 0 || members.get(at).kind() != MemberKind.VOTER) {
                throw new ConfigException(rejoining.source(), "raft.rejoining_learners[" + i + "]", rejoining.line(),
                        "'" + name + "' " + (at < 0 ? "names no member" : "is already a learner") + " (peers: "
                                + String.join(", ", members.stream().filter(p -> p.kind() == MemberKind.VOTER)
                                .map(PeerSpec::name).toList()) + ")",
                        "list member names of peers (the first DNS label of a peer's host, or node-<position>)");
            }
            PeerSpec p = members.get(at);
            members.set(at, new PeerSpec(p.id(), p.name(), MemberKind.LEARNER, p.peerAddress(), p.electionAddress(),
                    p.clientAddress()));
        }
        if (members.stream().noneMatch(p -> p.kind() == MemberKind.VOTER)) {
            throw new ConfigException(rejoining.source(), "raft.rejoining_learners", rejoining.line(),
                    "it names every peer", "keep at least one voter in peers");
        }
    }

    private PeerSpec findSelf(List<PeerSpec> members, Setting listenSetting, HostPort listen,
                              Setting advertiseSetting, HostPort advertise) throws ConfigException {
        List<PeerSpec> byAddress = members.stream()
                .filter(m -> m.peerAddress().sameAs(listen) || m.peerAddress().sameAs(advertise)).toList();
        Setting nodeIdSetting = settings.get("node_id");
        String names = String.join(", ", members.stream().map(PeerSpec::name).toList());
        if (nodeIdSetting != null) {
            String nodeId = nodeIdSetting.value().trim();
            PeerSpec self = members.stream().filter(m -> m.name().equals(nodeId)).findFirst()
                    .orElseGet(() -> numeric(nodeId, members));
            if (self == null) {
                throw nodeIdSetting.error("'" + nodeId + "' names no member of peers"
                                + (settings.containsKey("learners") ? " or learners" : "") + " (members: " + names + ")",
                        "set node_id to this node's member name (the first DNS label of its peer host, or node-<position>"
                                + " for an IP), or fix the peers list");
            }
            for (PeerSpec other : byAddress) {
                if (other.id() != self.id()) {
                    Setting which = other.peerAddress().sameAs(listen) ? listenSetting : advertiseSetting;
                    throw which.error("'" + which.value() + "' is member " + other.name() + " but node_id '" + nodeId
                                    + "' is member " + self.name(),
                            "make node_id and " + which.key().substring(5) + " name the same member");
                }
            }
            return self;
        }
        if (byAddress.size() == 1) {
            return byAddress.get(0);
        }
        if (byAddress.isEmpty()) {
            throw listenSetting.error("no node_id, and '" + listen + "'"
                            + (advertise != null ? " / advertise_address '" + advertise + "'" : "")
                            + " matches no entry of peers" + (settings.containsKey("learners") ? " or learners" : "")
                            + " (members: " + names + ")",
                    "set node_id to this node's member name (BALLOT_NODE_ID), or make listen_address or advertise_address"
                            + " equal to this node's entry in peers");
        }
        throw listenSetting.error("listen_address and advertise_address match two different members ("
                        + byAddress.get(0).name() + ", " + byAddress.get(1).name() + ")",
                "set node_id to say which member this node is");
    }

    private static PeerSpec numeric(String nodeId, List<PeerSpec> members) {
        if (!nodeId.matches("\\d{1,9}")) {
            return null;
        }
        long id = Long.parseLong(nodeId);
        return members.stream().filter(m -> m.id() == id).findFirst().orElse(null);
    }

    private static void checkPorts(Setting listenSetting, HostPort listen, Setting clientSetting, HostPort client)
            throws ConfigException {
        boolean overlap = listen.isWildcard() || client.isWildcard() || listen.sameAs(client.withPort(listen.port()));
        if (overlap && listen.port() == client.port()) {
            throw clientSetting.error("port " + client.port() + " is also listen_address's port (" + listenSetting.value() + ")",
                    "use a different port for the HTTP API, e.g. 8080");
        }
    }

    private RaftTiming timing() throws ConfigException {
        RaftTiming d = RaftTiming.DEFAULTS;
        Setting minS = optional("election_timeout_min", Durations.format(d.electionTimeoutMin()));
        Setting maxS = optional("election_timeout_max", Durations.format(d.electionTimeoutMax()));
        Setting hbS = optional("heartbeat_interval", Durations.format(d.heartbeatInterval()));
        Duration min = Durations.parse(minS);
        Duration max = Durations.parse(maxS);
        Duration hb = Durations.parse(hbS);
        Duration tick = NodeConfig.TICK;
        if (hb.compareTo(tick) < 0) {
            throw hbS.error(Durations.format(hb) + " is shorter than the node's " + Durations.format(tick) + " tick",
                    "use at least " + Durations.format(tick) + ", e.g. \"50ms\"");
        }
        if (max.compareTo(MAX_TIMEOUT) > 0) {
            throw maxS.error(Durations.format(max) + " is longer than " + MAX_TIMEOUT.toSeconds() + "s",
                    "use an election timeout of at most 60s; typical values are 150ms-300ms or 1s-2s");
        }
        if (min.compareTo(max) >= 0) {
            throw minS.error("election_timeout_min (" + Durations.format(min) + ") is not below election_timeout_max ("
                            + Durations.format(max) + ")",
                    "make election_timeout_min smaller than election_timeout_max, e.g. 150ms and 300ms");
        }
        if (max.minus(min).compareTo(tick) < 0) {
            throw maxS.error("election_timeout_max is less than one " + Durations.format(tick) + " tick above the minimum,"
                            + " so timeouts cannot be randomized",
                    "widen the range, e.g. max = 2 x min");
        }
        if (hb.multipliedBy(3).compareTo(min) > 0) {
            throw hbS.error("heartbeat_interval (" + Durations.format(hb) + ") is not well below election_timeout_min ("
                            + Durations.format(min) + "); followers would start elections between heartbeats",
                    "make heartbeat_interval at most a third of election_timeout_min, e.g. 50ms with 150ms");
        }
        return new RaftTiming(min, max, hb);
    }
}
