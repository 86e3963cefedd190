package dev.ballot.node.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import dev.ballot.engine.kv.KvCommand;
import dev.ballot.engine.kv.KvResult;
import dev.ballot.engine.kv.KvStateMachine.Versioned;
import dev.ballot.node.config.ClientLimits;
import dev.ballot.nodeapi.ApiError;
import dev.ballot.nodeapi.ErrorCode;
import dev.ballot.node.server.KvMachine;
import dev.ballot.nodeapi.CasRequest;
import dev.ballot.nodeapi.Consistency;
import dev.ballot.nodeapi.NodePaths;
import dev.ballot.nodeapi.Revision;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** {@code /v1/kv/{key}}: put, get, delete and compare-and-set on the replicated map. */
final class KvRoutes extends RouteSupport {
    KvRoutes(NodeInfo info, LeaderForwarder forwarder) {
        super(info, forwarder);
    }

    void handle(HttpExchange ex) throws IOException {
        info.kvRuntime(); // 404 at once when this node serves another client protocol
        String rawKey = ex.getRequestURI().getRawPath().substring(NodePaths.KV_PREFIX.length());
        String method = ex.getRequestMethod();
        if (method.equals("POST") && rawKey.endsWith(NodePaths.CAS_SUFFIX)) {
            cas(ex, key(rawKey.substring(0, rawKey.length() - NodePaths.CAS_SUFFIX.length())));
            return;
        }
        Exchanges.requireMethod(ex, "GET", "HEAD", "PUT", "DELETE");
        String key = key(rawKey);
        switch (method) {
            case "GET", "HEAD" -> get(ex, key);
            case "PUT" -> put(ex, key);
            default -> delete(ex, key);
        }
    }

    String key(String raw) {
        String key;
        try {
            key = URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("key", "the key is not valid percent-encoding: " + e.getMessage());
        }
        if (key.isEmpty()) {
            throw ApiException.badRequest("key", "the key is empty; use /v1/kv/<key>");
        }
        int bytes = key.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > limits.maxKeyBytes()) {
            throw Exchanges.tooLarge(ErrorCode.KEY_TOO_LARGE, "key", "the key (UTF-8)", bytes, false,
                    limits.maxKeyBytes(), ClientLimits.KEY_KEY);
        }
        for (int i = 0; i < key.length(); i++) {
            if (Character.isISOControl(key.charAt(i))) {
                throw ApiException.badRequest("key", "the key contains a control character at position " + i
                        + "; use printable characters");
            }
        }
        return key;
    }

    private void put(HttpExchange ex, String key) throws IOException {
        byte[] value = body(ex);
        checkValue("value", "the value", value.length);
        if (routedToLeader(ex)) {
            return;
        }
        KvResult r = await(propose(KvCommand.put(info.runtime().newRequestId(), key, value)));
        refuseNoSpace(r);
        answerRevision(ex, r.revision());
    }

    private void delete(HttpExchange ex, String key) throws IOException {
        body(ex);
        if (routedToLeader(ex)) {
            return;
        }
        KvResult r = await(propose(KvCommand.delete(info.runtime().newRequestId(), key)));
        answerRevision(ex, r.revision());
    }

    private void cas(HttpExchange ex, String key) throws IOException {
        ObjectNode json = jsonBody(ex);
        if (!json.has("expect")) {
            throw ApiException.badRequest("expect", "give \"expect\": the current value you expect, or null when the key must be absent");
        }
        requireTextOrNull(json.get("expect"), "expect");
        requireTextOrNull(json.get("value"), "value");
        CasRequest req = Exchanges.JSON.treeToValue(json, CasRequest.class);
        if (req.value() == null) {
            throw ApiException.badRequest("value", "give \"value\": the new value as a string");
        }
        byte[] expect = req.expect() == null ? null : req.expect().getBytes(StandardCharsets.UTF_8);
        byte[] value = req.value().getBytes(StandardCharsets.UTF_8);
        checkValue("value", "\"value\"", value.length);
        if (expect != null) {
            checkValue("expect", "\"expect\"", expect.length);
        }
        if (routedToLeader(ex)) {
            return;
        }
        KvResult r = await(propose(KvCommand.cas(info.runtime().newRequestId(), key, expect, value)));
        refuseNoSpace(r);
        if (r.succeeded()) {
            answerRevision(ex, r.revision());
            return;
        }
        Exchanges.sendJson(ex, 409, ApiError.compareFailed(
                "the key's current value is not the expected one; read \"current\" and retry with it as \"expect\"",
                r.current() == null ? null : new String(r.current(), StandardCharsets.UTF_8)));
    }

    /** Every replica refused the write in apply (the keyspace quota): nothing changed. */
    private void refuseNoSpace(KvResult r) {
        if (r.noSpace()) {
            KvMachine m = info.kvRuntime().machine();
            throw new ApiException(507, ErrorCode.NO_SPACE.wireName(), null, "the keyspace quota of " + m.quotaBytes()
                    + " bytes (node configuration '" + KvMachine.QUOTA_KEY + "') is used up (" + m.usedBytes()
                    + " bytes in keys and values; the NOSPACE alarm stands): the write was not applied; delete keys "
                    + "(reads and deletes still work) until the keyspace is under nine tenths of the quota, which clears "
                    + "the alarm, or raise the quota on every member");
        }
    }

    private void checkValue(String field, String what, int bytes) {
        if (bytes > limits.maxValueBytes()) {
            throw Exchanges.tooLarge(ErrorCode.VALUE_TOO_LARGE, field, what, bytes, false, limits.maxValueBytes(),
                    ClientLimits.VALUE_KEY);
        }
    }

    private CompletableFuture<KvResult> propose(KvCommand command) {
        return info.kvRuntime().propose(command.requestId(), command.encode());
    }

    private static void requireTextOrNull(JsonNode node, String field) {
        if (node != null && !node.isNull() && !node.isTextual()) {
            throw ApiException.badRequest(field, "\"" + field + "\" must be a string or null, got " + node.getNodeType());
        }
    }

    private void get(HttpExchange ex, String key) throws IOException {
        String consistency = Exchanges.query(ex).getOrDefault(NodePaths.CONSISTENCY_PARAM, Consistency.LINEARIZABLE.wireName());
        Optional<Versioned> found;
        switch (consistency) {
            case "serializable" -> found = await(info.kvRuntime().readLocal(kv -> kv.get(key)), true);
            case "linearizable" -> {
                if (routedToLeader(ex)) {
                    return;
                }
                found = await(info.kvRuntime().readLinearizable(kv -> kv.get(key)), true);
            }
            default -> throw ApiException.badRequest("consistency", "consistency must be linearizable (default) or serializable, got '"
                    + consistency + "'");
        }
        if (found.isEmpty()) {
            throw new ApiException(404, "not_found", "key", "the key '" + key + "' is absent");
        }
        ex.getResponseHeaders().set(NodePaths.REVISION_HEADER, Long.toString(found.get().revision()));
        Exchanges.send(ex, 200, "application/octet-stream", found.get().value());
    }

    private static void answerRevision(HttpExchange ex, long revision) throws IOException {
        ex.getResponseHeaders().set(NodePaths.REVISION_HEADER, Long.toString(revision));
        Exchanges.sendJson(ex, 200, new Revision(revision));
    }
}
