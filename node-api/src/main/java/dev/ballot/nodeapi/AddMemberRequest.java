package dev.ballot.nodeapi;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * The body of {@code POST /v1/admin/members}: add a non-voter, to be promoted once caught up.
 *
 * @param id            the new member's name
 * @param address       its peer address {@code host:port} (ZAB {@code host:peerPort:electionPort})
 * @param kind          {@code learner} (Raft) or {@code observer} (ZAB)
 * @param memberId      the engine id; null to let the node derive it from the name
 *                      ({@code node-N} is N, {@code <x>-<ordinal>} is ordinal+1)
 * @param clientAddress null for the address's host with the node's client port
 */
@JsonPropertyOrder({"id", "memberId", "address", "kind", "clientAddress"})
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AddMemberRequest(String id, String address, String kind, Long memberId, String clientAddress) {
    public static final String LEARNER = "learner";
    public static final String OBSERVER = "observer";
}
