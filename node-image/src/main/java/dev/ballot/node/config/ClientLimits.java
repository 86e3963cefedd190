package dev.ballot.node.config;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What one node's HTTP API accepts, so that no client can exhaust its memory or threads (docs/node-config.md, Limits).
 * Defaults follow etcd's for a coordination service: 1.5 MiB requests, values up to 1 MiB.
 *
 * @param maxRequestBytes      largest request body ({@code max_request_bytes}); larger: 413 {@code body_too_large}
 * @param maxKeyBytes          largest key, UTF-8 ({@code max_key_bytes}); larger: 413 {@code key_too_large}
 * @param maxValueBytes        largest value ({@code max_value_bytes}); larger: 413 {@code value_too_large}
 * @param maxClientConnections open HTTP connections at once ({@code max_client_connections}); more are closed on accept
 * @param maxEventSubscribers  {@code /v1/status/events} streams at once ({@code max_event_subscribers}); more: 503
 *                             {@code too_many_subscribers}
 * @param requestReadTimeout   a request's headers and body must arrive within this ({@code client_request_timeout}),
 *                             or the connection is closed (slowloris)
 */
public record ClientLimits(int maxRequestBytes, int maxKeyBytes, int maxValueBytes, int maxClientConnections,
                           int maxEventSubscribers, Duration requestReadTimeout) {
    public static final String REQUEST_KEY = "max_request_bytes";
    public static final String KEY_KEY = "max_key_bytes";
    public static final String VALUE_KEY = "max_value_bytes";
    public static final String CONNECTIONS_KEY = "max_client_connections";
    public static final String SUBSCRIBERS_KEY = "max_event_subscribers";
    public static final String READ_TIMEOUT_KEY = "client_request_timeout";
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(B|KiB|MiB)?");

    public ClientLimits {
        if (maxRequestBytes < 1024 || maxKeyBytes < 1 || maxValueBytes < 1 || maxClientConnections < 1
                || maxEventSubscribers < 0 || requestReadTimeout.toSeconds() < 1) {
            throw new IllegalArgumentException("limits out of range: request " + maxRequestBytes + " B (min 1024), key "
                    + maxKeyBytes + " B, value " + maxValueBytes + " B, connections " + maxClientConnections
                    + ", subscribers " + maxEventSubscribers + ", read timeout " + requestReadTimeout + " (min 1 s)");
        }
    }

    /** 1.5 MiB requests, 1 KiB keys, 1 MiB values, 1024 connections, 64 event subscribers, 10 s to send a request. */
    public static ClientLimits defaults() {
        return new ClientLimits(3 << 19, 1024, 1 << 20, 1024, 64, Duration.ofSeconds(10));
    }

    /** Bytes as a plain number or with a {@code B}, {@code KiB} or {@code MiB} suffix; null when malformed. */
    static Integer parseSize(String text) {
        Matcher m = SIZE.matcher(text.trim());
        if (!m.matches()) {
            return null;
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "B" : m.group(2);
        n = switch (unit) {
            case "KiB" -> n << 10;
            case "MiB" -> n << 20;
            default -> n;
        };
        return n > Integer.MAX_VALUE ? null : (int) n;
    }
}
