package dev.ballot.node.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import dev.ballot.engine.Protocol;
import dev.ballot.node.server.RuntimeListener;
import dev.ballot.node.server.RuntimeStatus;
import dev.ballot.nodeapi.NodePaths;
import dev.ballot.nodeapi.ProbeAnswer;
import dev.ballot.nodeapi.StatusReport;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import dev.ballot.nodeapi.ErrorCode;
import java.util.function.Supplier;

/** {@code /v1/status}, its event stream, {@code /healthz} and {@code /readyz}. */
final class StatusRoutes {
    static final Duration HEARTBEAT = Duration.ofSeconds(5);
    /** A follower further behind its commit index than this, in entries, is not ready. */
    static final long MAX_APPLY_LAG = 1000;
    /** A follower that has not heard from its leader for this long is not ready. */
    static final long MAX_LEADER_SILENCE_MS = 3000;

    private final NodeInfo info;
    private final LeaderReachability reachability;
    /** Fields other parts of the node add to the status (the cluster identity: clusterUuid, joinedMembers...). */
    private volatile Supplier<Map<String, Object>> extraFields = Map::of;
    /** Each subscriber holds a thread and a connection for as long as it listens, so they are counted. */
    private final AtomicInteger subscribers = new AtomicInteger();
    private volatile int maxSubscribers = dev.ballot.node.config.ClientLimits.defaults().maxEventSubscribers();

    StatusRoutes(NodeInfo info, LeaderReachability reachability) {
        this.info = info;
        this.reachability = reachability;
    }

    void maxSubscribers(int max) {
        this.maxSubscribers = max;
    }

    void extraFields(Supplier<Map<String, Object>> fields) {
        this.extraFields = fields;
    }

    /** The {@link StatusReport}, with the extra fields (if any) written just before {@code members}. */
    private Object view(RuntimeStatus st) {
        StatusReport report = StatusView.of(info, st, reachability);
        Map<String, Object> extra = extraFields.get();
        if (extra.isEmpty()) {
            return report;
        }
        ObjectNode body = Exchanges.JSON.valueToTree(report);
        JsonNode members = body.remove("members");
        extra.forEach((name, value) -> body.set(name, Exchanges.JSON.valueToTree(value)));
        body.set("members", members);
        return body;
    }

    void status(HttpExchange ex) throws IOException {
        Exchanges.requireMethod(ex, "GET", "HEAD");
        Exchanges.sendJson(ex, 200, view(info.runtime().status()));
    }

    /**
     * Server-sent events: a status event at connect, one at every visible change, and one every
     * {@link #HEARTBEAT} so clients notice a dead stream. Holds one HTTP thread per subscriber.
     */
    void events(HttpExchange ex) throws IOException {
        Exchanges.requireMethod(ex, "GET");
        if (subscribers.incrementAndGet() > maxSubscribers) {
            subscribers.decrementAndGet();
            throw new ApiException(503, ErrorCode.TOO_MANY_SUBSCRIBERS.wireName(), null, "this node already streams "
                    + "status events to " + maxSubscribers + " subscribers (node configuration '"
                    + dev.ballot.node.config.ClientLimits.SUBSCRIBERS_KEY + "'); poll /v1/status, subscribe to "
                    + "another member, or retry later");
        }
        try {
            stream(ex);
        } finally {
            subscribers.decrementAndGet();
        }
    }

    private void stream(HttpExchange ex) throws IOException {
        LinkedBlockingQueue<RuntimeStatus> changes = new LinkedBlockingQueue<>();
        AtomicBoolean open = new AtomicBoolean(true);
        RuntimeListener listener = new RuntimeListener() {
            @Override
            public void onStatus(RuntimeStatus previous, RuntimeStatus current, boolean changed) {
                if (changed && open.get()) {
                    changes.add(current);
                }
            }
        };
        ex.getResponseHeaders().set("Content-Type", "text/event-stream");
        ex.getResponseHeaders().set("Cache-Control", "no-cache");
        ex.sendResponseHeaders(200, 0);
        info.runtime().addListener(listener);
        try (OutputStream out = ex.getResponseBody()) {
            writeEvent(out, info.runtime().status());
            while (info.runtime().isAlive()) {
                RuntimeStatus next = changes.poll(HEARTBEAT.toMillis(), TimeUnit.MILLISECONDS);
                if (next != null) {
                    // Coalesce a burst into its latest state, but never skip a change entirely.
                    writeEvent(out, next);
                } else {
                    writeEvent(out, info.runtime().status());
                }
            }
        } catch (IOException e) {
            // The subscriber went away.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            open.set(false);
            info.runtime().removeListener(listener);
            ex.close();
        }
    }

    private void writeEvent(OutputStream out, RuntimeStatus st) throws IOException {
        byte[] json = Exchanges.JSON.writeValueAsBytes(view(st));
        out.write(("event: " + NodePaths.STATUS_EVENT + "\ndata: ").getBytes(StandardCharsets.UTF_8));
        out.write(json);
        out.write("\n\n".getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    void healthz(HttpExchange ex) throws IOException {
        Exchanges.requireMethod(ex, "GET", "HEAD");
        if (info.runtime().isAlive()) {
            Exchanges.sendJson(ex, 200, ProbeAnswer.OK);
        } else {
            String why = info.runtime().status().failure();
            Exchanges.sendJson(ex, 503, Exchanges.error("unhealthy", why == null ? "the node is stopping" : why, null));
        }
    }

    void readyz(HttpExchange ex) throws IOException {
        Exchanges.requireMethod(ex, "GET", "HEAD");
        RuntimeStatus st = info.runtime().status();
        String reason = notReadyReason(info.runtime().isAlive(), st);
        String leaderAddress = st.leaderId() == 0 || st.isLeader() ? null
                : info.directory().clientAddress(st.leaderId()).orElse(null);
        if (reason == null && Boolean.FALSE.equals(reachability.reachableOrNull(leaderAddress))) {
            reason = "this node cannot reach the leader at " + leaderAddress + " to forward requests (it hears it, but "
                    + "cannot connect: a one-way partition?); send requests to another member";
        }
        if (reason == null) {
            Exchanges.sendJson(ex, 200, ProbeAnswer.READY);
        } else {
            Exchanges.sendJson(ex, 503, Exchanges.error("not_ready", reason, null));
        }
    }

    /** Why a node should get no client traffic, or null when it is ready. Pure, so it is table-tested. */
    static String notReadyReason(boolean alive, RuntimeStatus st) {
        if (!alive) {
            return "the node's driver is not running" + (st.failure() == null ? "" : ": " + st.failure());
        }
        if (!st.membership().contains(st.node().id())) {
            return "this node is not a member of the current configuration; add it with POST /v1/admin/members";
        }
        if (st.leaderId() == 0) {
            return "no leader is known (election in progress or no quorum)";
        }
        long commit = st.node().commitIndex();
        long applied = st.node().appliedIndex();
        // ZAB indexes are zxids: only counters within one epoch can be subtracted.
        boolean comparable = st.node().protocol() == Protocol.RAFT || (commit >>> 32) == (applied >>> 32);
        long lag = commit - applied;
        if (comparable && lag > MAX_APPLY_LAG) {
            return "applying committed entries: " + lag + " behind the commit index";
        }
        long silence = st.millisSinceLeaderContact();
        if (silence > MAX_LEADER_SILENCE_MS) {
            return "no word from the leader for " + silence + " ms";
        }
        return null;
    }
}
