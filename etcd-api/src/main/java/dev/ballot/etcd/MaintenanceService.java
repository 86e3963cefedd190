package dev.ballot.etcd;

import com.google.protobuf.UnknownFieldSet;
import io.etcd.jetcd.api.AlarmRequest;
import io.etcd.jetcd.api.AlarmResponse;
import io.etcd.jetcd.api.MaintenanceGrpc;
import io.etcd.jetcd.api.StatusRequest;
import io.etcd.jetcd.api.StatusResponse;
import io.grpc.stub.StreamObserver;

import java.util.List;

/**
 * etcd's Maintenance: Status (version, leader, raft index and term, plus raftAppliedIndex, field 7, newer than jetcd's
 * proto) and Alarm (the NOSPACE alarm of the keyspace quota: GET lists it, DEACTIVATE disarms it through the log).
 */
final class MaintenanceService extends MaintenanceGrpc.MaintenanceImplBase {
    /**
     * The etcd version whose API this server implements, as clients gate features on it: kube-apiserver
     * serves consistent lists from its watch cache only from etcd 3.5.13 on (it relies on progress requests
     * answered at a revision no watcher on the stream is behind, which Ballot's synchronous watch dispatch
     * always gives).
     */
    static final String VERSION = "3.5.17";
    private static final int RAFT_APPLIED_INDEX_FIELD = 7;

    private final EtcdBackend backend;
    private final Headers headers;
    private final Dispatcher dispatcher;

    MaintenanceService(EtcdBackend backend, Headers headers, Dispatcher dispatcher) {
        this.backend = backend;
        this.headers = headers;
        this.dispatcher = dispatcher;
    }

    /**
     * GET: linearizable, NOSPACE listed under every member while it stands (each member holds the same replicated
     * store, so each is past the quota). ACTIVATE and DEACTIVATE: proposed like writes, so every member agrees.
     */
    @Override
    public void alarm(AlarmRequest request, StreamObserver<AlarmResponse> observer) {
        if (request.getAction() == AlarmRequest.AlarmAction.GET) {
            Dispatcher.answer(dispatcher.readLinearizable(
                    sm -> (AlarmResponse) dispatcher.withHeader(sm.alarms(memberIds())),
                    (leader, mark) -> Dispatcher.stub(MaintenanceGrpc.newFutureStub(leader), mark).alarm(request)),
                    observer);
            return;
        }
        Dispatcher.answer(dispatcher.write(EtcdCommand.Kind.ALARM, request,
                (leader, mark) -> Dispatcher.stub(MaintenanceGrpc.newFutureStub(leader), mark).alarm(request)), observer);
    }

    private List<Long> memberIds() {
        return backend.members().stream().map(EtcdBackend.Member::id).toList();
    }

    @Override
    public void status(StatusRequest request, StreamObserver<StatusResponse> observer) {
        Dispatcher.answer(backend.readLocal(sm -> StatusResponse.newBuilder()
                .setHeader(headers.of(sm.store().currentRevision()))
                .setVersion(VERSION)
                .setDbSize(sm.snapshot().length)
                .setLeader(backend.leaderId())
                .setRaftIndex(backend.raftIndex())
                .setRaftTerm(backend.term())
                .setUnknownFields(UnknownFieldSet.newBuilder().addField(RAFT_APPLIED_INDEX_FIELD,
                        UnknownFieldSet.Field.newBuilder().addVarint(sm.appliedIndex()).build()).build())
                .build()), observer);
    }
}
