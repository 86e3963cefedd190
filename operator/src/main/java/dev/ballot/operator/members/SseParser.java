package dev.ballot.operator.members;

import java.util.function.BiConsumer;

/**
 * Server-sent events framing (WHATWG): "event:" and "data:" lines, a blank line dispatches. Comments (":") and
 * other fields are ignored. Not thread-safe: one parser per stream.
 */
public final class SseParser {
    private final BiConsumer<String, String> onEvent;
    private String event = "";
    private StringBuilder data;

    /** {@code onEvent} receives (event type, data); the type is "message" when the server named none. */
    public SseParser(BiConsumer<String, String> onEvent) {
        this.onEvent = onEvent;
    }

    public void line(String line) {
        if (line.isEmpty()) {
            dispatch();
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
        if (field.equals("event")) {
            event = value;
        } else if (field.equals("data")) {
            if (data == null) {
                data = new StringBuilder(value);
            } else {
                data.append('\n').append(value);
            }
        }
    }

    private void dispatch() {
        if (data != null) {
            onEvent.accept(event.isEmpty() ? "message" : event, data.toString());
        }
        event = "";
        data = null;
    }
}
