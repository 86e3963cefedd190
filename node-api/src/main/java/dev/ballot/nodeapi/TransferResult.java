package dev.ballot.nodeapi;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/** The answer of a completed leadership transfer: who leads now, where, and in which term. */
@JsonPropertyOrder({"leader", "leaderAddress", "term"})
public record TransferResult(String leader, String leaderAddress, long term) {
}
