package dev.ballot.nodeapi;

/**
 * {@code POST /v1/admin/force-new-cluster} (quorum-loss recovery, docs/node-api.md): the body names the request,
 * the answer what the member will keep when it next starts as a one-member configuration.
 */
public final class ForceNewCluster {
    private ForceNewCluster() {
    }

    /** The body: {@code {"id": "<request id>"}}; asking again with the same id is harmless. */
    public record Request(String id) {
    }

    /**
     * The answer (202): recorded, carried out at the member's next start.
     *
     * @param lastIndex the last index (ZAB: zxid) in this member's log now: what the rebuilt cluster starts from
     * @param term      the term (ZAB: epoch) of that entry
     */
    public record Result(String member, String id, long lastIndex, long term, String message) {
    }
}
