package dev.ballot.node.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import dev.ballot.node.config.ClientLimits;
import dev.ballot.nodeapi.ApiError;
import dev.ballot.nodeapi.ErrorCode;
import dev.ballot.nodeapi.NodeJson;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** Reading requests and writing JSON answers on the JDK's HttpExchange. */
final class Exchanges {
    static final ObjectMapper JSON = NodeJson.MAPPER;

    private Exchanges() {
    }

    /**
     * The body, at most {@code maxBytes}: a declared Content-Length over it is refused before a byte is read, and a
     * chunked body is read only to one byte past it, so an oversized request never costs more than the limit.
     */
    static byte[] body(HttpExchange ex, int maxBytes) throws IOException {
        String declared = ex.getRequestHeaders().getFirst("Content-Length");
        if (declared != null) {
            try {
                if (Long.parseLong(declared.trim()) > maxBytes) {
                    throw bodyTooLarge(Long.parseLong(declared.trim()), maxBytes);
                }
            } catch (NumberFormatException ignored) {
                // the server itself rejects a malformed length; read and count instead
            }
        }
        try (InputStream in = ex.getRequestBody()) {
            byte[] bytes = in.readNBytes(maxBytes + 1);
            if (bytes.length > maxBytes) {
                throw bodyTooLarge(-1, maxBytes);
            }
            return bytes;
        }
    }

    private static ApiException bodyTooLarge(long declared, int maxBytes) {
        return tooLarge(ErrorCode.BODY_TOO_LARGE, "body", "the request body",
                declared >= 0 ? declared : maxBytes + 1L, declared < 0, maxBytes, ClientLimits.REQUEST_KEY);
    }

    /** 413 naming what was too large, the limit and the node configuration key that raises it. */
    static ApiException tooLarge(ErrorCode code, String field, String what, long size, boolean atLeast, int limit,
                                 String configKey) {
        return new ApiException(413, code.wireName(), field, what + " is " + (atLeast ? "more than " + limit : size)
                + " bytes; the limit is " + limit + " bytes (node configuration '" + configKey
                + "'): send less, or raise the limit on every member");
    }

    static ObjectNode parseObject(byte[] bytes) {
        if (bytes.length == 0 || new String(bytes, StandardCharsets.UTF_8).isBlank()) {
            return JSON.createObjectNode();
        }
        JsonNode node;
        try {
            node = JSON.readTree(bytes);
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr();
            throw new ApiException(400, "bad_json", "body", "the body is not valid JSON (" + e.getOriginalMessage()
                    + where + "); send a JSON object");
        } catch (IOException e) {
            throw new ApiException(400, "bad_json", "body", "the body could not be read as JSON: " + e.getMessage());
        }
        if (!(node instanceof ObjectNode obj)) {
            throw new ApiException(400, "bad_json", "body", "the body must be a JSON object, got " + node.getNodeType());
        }
        return obj;
    }

    static Map<String, String> query(HttpExchange ex) {
        Map<String, String> out = new LinkedHashMap<>();
        String raw = ex.getRequestURI().getRawQuery();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String k = eq < 0 ? pair : pair.substring(0, eq);
            String v = eq < 0 ? "" : pair.substring(eq + 1);
            out.put(URLDecoder.decode(k, StandardCharsets.UTF_8), URLDecoder.decode(v, StandardCharsets.UTF_8));
        }
        return out;
    }

    static void sendJson(HttpExchange ex, int status, Object body) throws IOException {
        send(ex, status, "application/json", JSON.writeValueAsBytes(body));
    }

    static void send(HttpExchange ex, int status, String contentType, byte[] bytes) throws IOException {
        ex.getResponseHeaders().set("Content-Type", contentType);
        if (status == 204 || ex.getRequestMethod().equals("HEAD")) {
            ex.sendResponseHeaders(status, -1);
        } else {
            ex.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
            if (bytes.length > 0) {
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(bytes);
                }
            }
        }
        ex.close();
    }

    static ApiError error(String code, String message, String field) {
        return new ApiError(code, message, field, null, null, null);
    }

    static void requireMethod(HttpExchange ex, String... allowed) {
        for (String m : allowed) {
            if (m.equals(ex.getRequestMethod())) {
                return;
            }
        }
        ex.getResponseHeaders().set("Allow", String.join(", ", allowed));
        throw new ApiException(405, ErrorCode.METHOD_NOT_ALLOWED.wireName(), "method", ex.getRequestMethod() + " is not allowed on "
                + ex.getRequestURI().getPath() + "; use " + String.join(" or ", allowed));
    }
}
