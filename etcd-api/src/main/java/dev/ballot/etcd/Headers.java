package dev.ballot.etcd;

import io.etcd.jetcd.api.ResponseHeader;

/** Response headers as etcd fills them: cluster_id, member_id, revision, raft_term. */
final class Headers {
    private final EtcdBackend backend;

    Headers(EtcdBackend backend) {
        this.backend = backend;
    }

    ResponseHeader of(long revision) {
        return ResponseHeader.newBuilder().setClusterId(backend.clusterId()).setMemberId(backend.memberId())
                .setRevision(revision).setRaftTerm(backend.term()).build();
    }

    /** The header a state machine result carries (its revision), completed with who answers. */
    ResponseHeader complete(ResponseHeader fromStore) {
        return of(fromStore.getRevision());
    }
}
