package dev.ballot.node.http;

import com.sun.net.httpserver.HttpExchange;
import dev.ballot.node.server.RequestFailure;
import dev.ballot.node.server.RuntimeStatus;
import dev.ballot.nodeapi.ApiError;
import dev.ballot.nodeapi.NodePaths;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.ballot.node.config.ClientLimits;

/** What the route classes share: waiting on the driver and sending non-leader requests to the leader. */
abstract class RouteSupport {
    /**
     * Request bodies once read, so a forward can replay them. Not exchange attributes: the JDK
     * server keeps those per context, shared by all concurrent exchanges.
     */
    private static final Map<HttpExchange, byte[]> BODIES = new ConcurrentHashMap<>();

    /** Set by {@link HttpApi} before it starts. */
    protected volatile ClientLimits limits = ClientLimits.defaults();
    protected final NodeInfo info;
    protected final LeaderForwarder forwarder;

    RouteSupport(NodeInfo info, LeaderForwarder forwarder) {
        this.info = info;
        this.forwarder = forwarder;
    }

    protected byte[] body(HttpExchange ex) throws IOException {
        byte[] cached = BODIES.get(ex);
        if (cached != null) {
            return cached;
        }
        byte[] b = Exchanges.body(ex, limits.maxRequestBytes());
        BODIES.put(ex, b);
        return b;
    }

    static void forget(HttpExchange ex) {
        BODIES.remove(ex);
    }

    protected com.fasterxml.jackson.databind.node.ObjectNode jsonBody(HttpExchange ex) throws IOException {
        return Exchanges.parseObject(body(ex));
    }

    /** Wait for the driver's answer to a write within the request deadline. */
    protected <T> T await(CompletableFuture<T> future) {
        return await(future, false);
    }

    /** Wait for the driver's answer within the request deadline; a read's timeout says it changed nothing. */
    protected <T> T await(CompletableFuture<T> future, boolean read) {
        try {
            return future.get(info.requestTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            future.cancel(false);
            throw LeaderForwarder.afterSend(read, 504, "no answer within " + info.requestTimeout().toMillis()
                    + " ms (no quorum?)");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RequestFailure rf) {
                throw rf;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw LeaderForwarder.afterSend(read, 503, "the node is stopping");
        }
    }

    /** True when this node must not serve the request itself: it forwarded, redirected or refused it. */
    protected boolean routedToLeader(HttpExchange ex) throws IOException {
        RuntimeStatus st = info.runtime().status();
        if (st.isLeader()) {
            return false;
        }
        sendToLeader(ex, st.leaderId());
        return true;
    }

    /** Forward to the leader, redirect (307) when the client asks so, or answer 503 no_leader. */
    protected void sendToLeader(HttpExchange ex, long leaderHint) throws IOException {
        long self = info.runtime().id();
        long leader = leaderHint != 0 ? leaderHint : info.runtime().status().leaderId();
        if (leader == 0 || leader == self) {
            throw new ApiException(503, "no_leader", null,
                    "no leader is known (an election is in progress or there is no quorum); retry shortly");
        }
        String address = info.directory().clientAddress(leader).orElse(null);
        String name = info.directory().name(leader);
        if (address == null) {
            throw new ApiException(503, "no_leader", null, "the leader " + name + " has no known client address; retry on it directly");
        }
        if (LeaderForwarder.clientWantsRedirect(ex)) {
            ex.getResponseHeaders().set("Location", forwarder.scheme() + "://" + address + ex.getRequestURI().getRawPath()
                    + (ex.getRequestURI().getRawQuery() == null ? "" : "?" + ex.getRequestURI().getRawQuery()));
            Exchanges.sendJson(ex, 307, withLeader(Exchanges.error("not_leader",
                    "this node is not the leader; repeat the request at " + address, null), leader));
            return;
        }
        if (LeaderForwarder.wasForwarded(ex)) {
            throw new ApiException(503, "not_leader", null, "this node is not the leader either (views differ during an election); retry shortly");
        }
        byte[] body = body(ex);
        // Admin requests move leadership or membership themselves: the leader's answer, not this node's
        // changed view, says how they went; and they may take the leader's whole request deadline.
        boolean admin = ex.getRequestURI().getPath().startsWith(NodePaths.ADMIN_PREFIX);
        CompletableFuture<?> leaderChanged = admin ? new CompletableFuture<>() : info.runtime().leaderChangeFrom(leader);
        try {
            forwarder.forward(ex, name, address, body, info.selfName(),
                    admin ? info.requestTimeout().plusSeconds(1) : LeaderForwarder.KV_FORWARD_DEADLINE, leaderChanged);
        } finally {
            leaderChanged.cancel(false);
        }
    }

    /** The error naming {@code leader} (engine id; 0 for none) and its client address when known. */
    ApiError withLeader(ApiError error, long leader) {
        return leader == 0 ? error
                : error.withLeader(info.directory().name(leader), info.directory().clientAddress(leader).orElse(null));
    }

}
