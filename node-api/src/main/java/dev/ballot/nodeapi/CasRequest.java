package dev.ballot.nodeapi;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * The body of {@code POST /v1/kv/{key}/cas}. {@code expect} is always sent: null means "the key must be
 * absent", which is not the same as leaving it out (a 400).
 */
@JsonPropertyOrder({"expect", "value"})
@JsonInclude(JsonInclude.Include.ALWAYS)
public record CasRequest(String expect, String value) {
}
