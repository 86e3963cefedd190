package dev.ballot.etcd;

import io.etcd.jetcd.api.ClusterGrpc;
import io.etcd.jetcd.api.Member;
import io.etcd.jetcd.api.MemberListRequest;
import io.etcd.jetcd.api.MemberListResponse;
import io.grpc.stub.StreamObserver;

/** etcd's Cluster.MemberList from Ballot's configuration; membership changes stay with Ballot's admin API. */
final class ClusterService extends ClusterGrpc.ClusterImplBase {
    private final EtcdBackend backend;
    private final Headers headers;

    ClusterService(EtcdBackend backend, Headers headers) {
        this.backend = backend;
        this.headers = headers;
    }

    @Override
    public void memberList(MemberListRequest request, StreamObserver<MemberListResponse> observer) {
        Dispatcher.answer(backend.readLocal(sm -> {
            MemberListResponse.Builder b = MemberListResponse.newBuilder().setHeader(headers.of(sm.store().currentRevision()));
            for (EtcdBackend.Member m : backend.members()) {
                Member.Builder mb = Member.newBuilder().setID(m.id()).setName(m.name()).addPeerURLs(m.peerUrl());
                if (m.clientUrl() != null) {
                    mb.addClientURLs(m.clientUrl());
                }
                if (m.learner()) {
                    mb.setUnknownFields(com.google.protobuf.UnknownFieldSet.newBuilder()
                            .addField(5, com.google.protobuf.UnknownFieldSet.Field.newBuilder().addVarint(1).build()).build());
                }
                b.addMembers(mb);
            }
            return b.build();
        }), observer);
    }
}
