package dev.ballot.operator.reconciler;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Loopback stand-in for Ballot nodes: serves GET /{namespace}/{pod}/v1/status and the SSE stream
 * /{namespace}/{pod}/v1/status/events as docs/node-api.md describes. A member marked down closes every connection
 * without answering, as a dead pod would.
 */
final class FakeMembers implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "fake-member");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, Map<String, Object>> statuses = new ConcurrentHashMap<>();
    private final Map<String, List<OutputStream>> streams = new ConcurrentHashMap<>();
    private final Map<String, Boolean> down = new ConcurrentHashMap<>();
    private final Map<String, Integer> transfers = new ConcurrentHashMap<>();
    private final Map<String, List<String>> adminCalls = new ConcurrentHashMap<>();

    FakeMembers() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    String urlTemplate() {
        return "http://127.0.0.1:" + port() + "/{namespace}/{pod}";
    }

    /** Sets what a member reports and pushes it to its open streams at once. */
    void report(String namespace, String pod, String role, long term, String leader, List<String> voters) {
        report(namespace, pod, role, term, leader, voters, List.of());
    }

    /** As above, with Raft learners listed after the voters (kind "learner"). */
    void report(String namespace, String pod, String role, long term, String leader, List<String> voters,
                List<String> learners) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("clusterId", "test");
        s.put("nodeId", pod);
        s.put("protocol", "raft");
        s.put("role", role);
        s.put("term", term);
        s.put("leaderId", leader);
        s.put("leaderSince", "2026-11-27T12:00:00.123Z");
        s.put("commitIndex", 10);
        s.put("appliedIndex", 10);
        s.put("lastLogIndex", 12);
        List<Map<String, Object>> members = new ArrayList<>();
        List<String> all = new ArrayList<>(voters);
        all.addAll(learners);
        for (String v : all) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", v);
            m.put("address", v + ":2380");
            m.put("kind", learners.contains(v) ? "learner" : "voter");
            m.put("matchIndex", 10);
            m.put("lastContactMs", 7);
            m.put("self", v.equals(pod));
            members.add(m);
        }
        s.put("members", members);
        String key = namespace + "/" + pod;
        statuses.put(key, s);
        down.remove(key);
        push(key);
    }

    /**
     * Changes a member's replication progress (its last log index, and the match index it reports for others)
     * without an event, as a node does: progress alone never emits on the stream.
     */
    @SuppressWarnings("unchecked")
    void progress(String namespace, String pod, long lastLogIndex, Map<String, Long> matchIndex) {
        Map<String, Object> s = statuses.get(namespace + "/" + pod);
        s.put("lastLogIndex", lastLogIndex);
        s.put("commitIndex", lastLogIndex);
        s.put("appliedIndex", lastLogIndex);
        for (Map<String, Object> m : (List<Map<String, Object>>) s.get("members")) {
            Long match = matchIndex.get((String) m.get("id"));
            if (match != null) {
                m.put("matchIndex", match);
            }
        }
    }

    /** The member stops answering: its streams are cut and new requests are dropped unanswered. */
    void down(String namespace, String pod) {
        String key = namespace + "/" + pod;
        down.put(key, true);
        List<OutputStream> open = streams.remove(key);
        if (open != null) {
            open.forEach(FakeMembers::closeQuietly);
        }
    }

    int transferRequests(String namespace, String pod) {
        return transfers.getOrDefault(namespace + "/" + pod, 0);
    }

    /** Membership calls this member received, as "METHOD /v1/admin/... body", in order. */
    List<String> adminCalls(String namespace, String pod) {
        return List.copyOf(adminCalls.getOrDefault(namespace + "/" + pod, List.of()));
    }

    int openStreams(String namespace, String pod) {
        return streams.getOrDefault(namespace + "/" + pod, List.of()).size();
    }

    private void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        String[] parts = path.split("/");
        // "", namespace, pod, "v1", "status"[, "events"]
        if (parts.length < 5) {
            exchange.sendResponseHeaders(404, -1);
            exchange.close();
            return;
        }
        String key = parts[1] + "/" + parts[2];
        Map<String, Object> status = statuses.get(key);
        if (down.containsKey(key) || status == null) {
            exchange.close();
            return;
        }
        if ("POST".equals(exchange.getRequestMethod()) && path.endsWith("/v1/admin/transfer-leadership")) {
            transfers.merge(key, 1, Integer::sum);
            String request = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            adminCalls.computeIfAbsent(key, k -> new CopyOnWriteArrayList<>())
                    .add("POST /v1/admin/transfer-leadership " + request);
            byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
            return;
        }
        int admin = path.indexOf("/v1/admin/members");
        if (admin >= 0) {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            adminCalls.computeIfAbsent(key, k -> new CopyOnWriteArrayList<>())
                    .add(exchange.getRequestMethod() + " " + path.substring(admin) + (body.isEmpty() ? "" : " " + body));
            byte[] answer = "{\"members\":[]}".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, answer.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(answer);
            }
            return;
        }
        boolean events = parts.length >= 6 && "events".equals(parts[5]);
        if (!events) {
            byte[] body = JSON.writeValueAsBytes(status);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
            return;
        }
        exchange.getResponseHeaders().add("Content-Type", "text/event-stream");
        exchange.sendResponseHeaders(200, 0);
        OutputStream out = exchange.getResponseBody();
        synchronized (out) {
            out.write(event(status));
            out.flush();
        }
        streams.computeIfAbsent(key, k -> new CopyOnWriteArrayList<>()).add(out);
    }

    private void push(String key) {
        List<OutputStream> open = streams.get(key);
        if (open == null) {
            return;
        }
        for (OutputStream out : open) {
            try {
                synchronized (out) {
                    out.write(event(statuses.get(key)));
                    out.flush();
                }
            } catch (IOException e) {
                open.remove(out);
            }
        }
    }

    private static byte[] event(Map<String, Object> status) throws IOException {
        return ("event: status\ndata: " + JSON.writeValueAsString(status) + "\n\n").getBytes(StandardCharsets.UTF_8);
    }

    private static void closeQuietly(OutputStream out) {
        try {
            out.close();
        } catch (IOException e) {
            // already gone
        }
    }

    @Override
    public void close() {
        streams.values().forEach(l -> l.forEach(FakeMembers::closeQuietly));
        server.stop(0);
        executor.shutdownNow();
    }
}
