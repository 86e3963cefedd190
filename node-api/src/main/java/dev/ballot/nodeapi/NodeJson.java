package dev.ballot.nodeapi;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/** The one JSON mapping of the node API, for the node's handlers and the clients alike. */
public final class NodeJson {
    /**
     * Thread-safe once built. Unknown fields are ignored so that an older client reads a newer node;
     * the records fix property order and which fields may be omitted.
     */
    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private NodeJson() {
    }
}
