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
 * {@code needs_replacement} (not applied). It opens no peer port, so it can neither vote nor acknowledge. With TLS
 * ({@code tls_dir}) it serves HTTPS with the member's certificate, as the running node does.
 */
public final class NeedsReplacementApi implements AutoCloseable {
    public static final String FIX = "replace this member: remove it from the configuration "
            + "(DELETE /v1/admin/members/<name> on the leader), then add it again as a learner (Raft) or observer (ZAB) "
            + "with an empty data directory and promote it once caught up; the operator does this. Do NOT restart it "
            + "as a voter with empty storage: it would vote for candidates missing committed writes";

    private final HttpServer server;
    /** The plain-HTTP metrics port ({@code metrics_address}); null when not configured. */
    private final MetricsListener metricsListener;

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
        InetSocketAddress bind = new InetSocketAddress(config.clientListen().host(), config.clientListen().port());
        // With TLS, HTTPS as the running node serves it: the kubelet's probes and the operator speak HTTPS to this
        // port, and a plain server here left the probes timing out (a restart loop) and the operator unable to read
        // needsReplacement, so it never replaced the member (e2e kubectl-ballot with TLS on, 2026-12-07).
        server = config.tls() == null ? HttpServer.create(bind, 64) : HttpsServers.create(bind, 64, openTls(config));
        boolean tls = config.tls() != null;
        metricsListener = config.metricsListen() == null ? null : new MetricsListener(
                new InetSocketAddress(config.metricsListen().host(), config.metricsListen().port()), NeedsReplacementApi::metrics);
        server.createContext("/", ex -> {
            try (ex) {
                answer(ex, status, reason, tls);
            }
        });
    }

    private static dev.ballot.node.tls.NodeTls openTls(NodeConfig config) throws IOException {
        try {
            return dev.ballot.node.tls.NodeTls.open(config.tls(), config.clusterId(), config.nodeName());
        } catch (dev.ballot.nodeapi.tls.TlsException e) {
            throw new IOException("TLS (" + dev.ballot.node.config.TlsSettings.DIR_KEY + "): " + e.getMessage(), e);
        }
    }

    /** With TLS, as on the running node (ApiAccess): probes and metrics for anyone, the rest for the cluster's CA. */
    private static boolean anonymous(HttpExchange ex) {
        if (!(ex instanceof com.sun.net.httpserver.HttpsExchange https)) {
            return false;
        }
        try {
            return https.getSSLSession().getPeerCertificates().length == 0;
        } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
            return true;
        }
    }

    private static void answer(HttpExchange ex, Map<String, Object> status, String reason, boolean tls) throws IOException {
        String path = ex.getRequestURI().getPath();
        boolean open = path.equals(NodePaths.HEALTHZ) || path.equals(NodePaths.READYZ) || path.equals(NodePaths.METRICS);
        if (tls && !open && anonymous(ex)) {
            Exchanges.sendJson(ex, 401, Exchanges.error("unauthenticated", "this endpoint needs a client certificate "
                    + "from the cluster's CA: present the certificate of spec.clients", null));
            return;
        }
        switch (path) {
            case NodePaths.STATUS -> Exchanges.sendJson(ex, 200, status);
            case NodePaths.HEALTHZ -> Exchanges.sendJson(ex, 200, ProbeAnswer.OK);
            case NodePaths.READYZ -> Exchanges.sendJson(ex, 503, Exchanges.error("not_ready", "needs replacement: " + reason, null));
            case NodePaths.METRICS -> metrics(ex);
            default -> Exchanges.sendJson(ex, 503, Exchanges.error("needs_replacement", "this member does not serve: "
                    + reason + ". Not applied: use another member. Fix: " + FIX, null));
        }
    }

    /** Its one metric, here and on the metrics listener: alerts see the member waiting for replacement either way. */
    private static void metrics(HttpExchange ex) throws IOException {
        Exchanges.send(ex, 200, "text/plain; version=0.0.4; charset=utf-8",
                ("# HELP ballot_needs_replacement 1 when this member's storage was lost and it refuses to vote until replaced\n"
                        + "# TYPE ballot_needs_replacement gauge\nballot_needs_replacement 1\n").getBytes(StandardCharsets.UTF_8));
    }

    public NeedsReplacementApi start() {
        if (metricsListener != null) {
            metricsListener.start();
        }
        server.start();
        return this;
    }

    @Override
    public void close() {
        if (metricsListener != null) {
            metricsListener.close();
        }
        server.stop(0);
    }
}
