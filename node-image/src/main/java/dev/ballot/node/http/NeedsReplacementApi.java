package dev.ballot.node.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.ballot.node.config.NodeConfig;
import dev.ballot.node.config.PeerSpec;
import dev.ballot.nodeapi.NodePaths;
import dev.ballot.nodeapi.ProbeAnswer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a member that must not start its engine serves instead ({@code dev.ballot.node.server.JoinGate}): its
 * status ({@code needsReplacement: true}, the reason and the fix), health (200, so that it is not restarted in
 * a loop: a restart cannot fix it), readiness (503) and a metric; every other request gets 503
 * {@code needs_replacement} (not applied). It opens no peer port, so it can neither vote nor acknowledge.
 */
public final class NeedsReplacementApi implements AutoCloseable {
    public static final String FIX = "replace this member: remove it from the configuration "
            + "(DELETE /v1/admin/members/<name> on the leader), then add it again as a learner (Raft) or observer (ZAB) "
            + "with an empty data directory and promote it once caught up; the operator does this. Do NOT restart it "
            + "as a voter with empty storage: it would vote for candidates missing committed writes";

    private final HttpServer server;

    public NeedsReplacementApi(NodeConfig config, String reason) throws IOException {
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("clusterId", config.clusterId());
        status.put("nodeId", config.nodeName());
        status.put("memberId", config.nodeId());
        status.put("protocol", config.protocol().wireName());
        status.put("role", "needsReplacement");
        status.put("needsReplacement", true);
        status.put("reason", reason);
        status.put("fix", FIX);
        status.put("leaderId", null);
        status.put("clusterUuid", null);
        List<Map<String, Object>> members = new ArrayList<>();
        for (PeerSpec p : config.members()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", p.name());
            m.put("memberId", p.id());
            m.put("clientAddress", p.clientAddress() == null ? null : p.clientAddress().toString());
            m.put("kind", p.kind().wireName());
            m.put("self", p.id() == config.nodeId());
            members.add(m);
        }
        status.put("members", members);
        server = HttpServer.create(new InetSocketAddress(config.clientListen().host(), config.clientListen().port()), 64);
        server.createContext("/", ex -> {
            try (ex) {
                answer(ex, status, reason);
            }
        });
    }

    private static void answer(HttpExchange ex, Map<String, Object> status, String reason) throws IOException {
        String path = ex.getRequestURI().getPath();
        switch (path) {
            case NodePaths.STATUS -> Exchanges.sendJson(ex, 200, status);
            case NodePaths.HEALTHZ -> Exchanges.sendJson(ex, 200, ProbeAnswer.OK);
            case NodePaths.READYZ -> Exchanges.sendJson(ex, 503, Exchanges.error("not_ready", "needs replacement: " + reason, null));
            case NodePaths.METRICS -> Exchanges.send(ex, 200, "text/plain; version=0.0.4; charset=utf-8",
                    ("# HELP ballot_needs_replacement 1 when this member's storage was lost and it refuses to vote until replaced\n"
                            + "# TYPE ballot_needs_replacement gauge\nballot_needs_replacement 1\n").getBytes(StandardCharsets.UTF_8));
            default -> Exchanges.sendJson(ex, 503, Exchanges.error("needs_replacement", "this member does not serve: "
                    + reason + ". Not applied: use another member. Fix: " + FIX, null));
        }
    }

    public NeedsReplacementApi start() {
        server.start();
        return this;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
