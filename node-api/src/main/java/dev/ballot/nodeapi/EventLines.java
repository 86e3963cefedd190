package dev.ballot.nodeapi;

import java.util.function.BiConsumer;

/**
 * The server-sent-events framing (the WHATWG event-stream format, the parts a node uses): {@code event:} and
 * {@code data:} lines (several {@code data:} lines join with newlines), a blank line dispatches, {@code :}
 * starts a comment. Not thread-safe: one stream's lines arrive in order.
 */
final class EventLines {
    private final BiConsumer<String, String> onEvent;
    private String type = "message";
    private StringBuilder data;

    EventLines(BiConsumer<String, String> onEvent) {
        this.onEvent = onEvent;
    }

    void line(String line) {
        if (line.isEmpty()) {
            if (data != null) {
                onEvent.accept(type, data.toString());
            }
            type = "message";
            data = null;
            return;
        }
        if (line.startsWith(":")) {
            return;
        }
        int colon = line.indexOf(':');
        String field = colon < 0 ? line : line.substring(0, colon);
        String value = colon < 0 ? "" : line.substring(colon + 1);
        if (value.startsWith(" ")) {
            value = value.substring(1);
        }
        switch (field) {
            case "event" -> type = value;
            case "data" -> {
                if (data == null) {
                    data = new StringBuilder(value);
                } else {
                    data.append('\n').append(value);
                }
            }
            default -> {
                // id and retry: the node sends neither
            }
        }
    }
}
