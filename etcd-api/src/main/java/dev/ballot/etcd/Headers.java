package dev.ballot.etcd;

import com.google.protobuf.Descriptors;
import com.google.protobuf.Message;
import io.etcd.jetcd.api.CompactionResponse;
import io.etcd.jetcd.api.DeleteRangeResponse;
import io.etcd.jetcd.api.LeaseGrantResponse;
import io.etcd.jetcd.api.LeaseRevokeResponse;
import io.etcd.jetcd.api.PutResponse;
import io.etcd.jetcd.api.RangeResponse;
import io.etcd.jetcd.api.ResponseHeader;
import io.etcd.jetcd.api.TxnResponse;

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

    /**
     * {@code m} with its header {@link #complete completed}. The responses the state machine gives are set through
     * their own builders: protobuf's reflective field access would first build the descriptors of all of etcd's
     * .proto files, 100-450 ms on the first call in a process (measured on this machine, C1, under load), which a
     * member paid on the first write it answered as leader, after every failover to a member that had not led
     * before (docs/bench.md, "The first write after an election"). Reflection remains for any other type.
     */
    Message stamp(Message m) {
        if (m instanceof PutResponse r) {
            return r.toBuilder().setHeader(complete(r.getHeader())).build();
        }
        if (m instanceof RangeResponse r) {
            return r.toBuilder().setHeader(complete(r.getHeader())).build();
        }
        if (m instanceof DeleteRangeResponse r) {
            return r.toBuilder().setHeader(complete(r.getHeader())).build();
        }
        if (m instanceof TxnResponse r) {
            return r.toBuilder().setHeader(complete(r.getHeader())).build();
        }
        if (m instanceof CompactionResponse r) {
            return r.toBuilder().setHeader(complete(r.getHeader())).build();
        }
        if (m instanceof LeaseGrantResponse r) {
            return r.toBuilder().setHeader(complete(r.getHeader())).build();
        }
        if (m instanceof LeaseRevokeResponse r) {
            return r.toBuilder().setHeader(complete(r.getHeader())).build();
        }
        Message.Builder b = m.toBuilder();
        Descriptors.FieldDescriptor f = b.getDescriptorForType().findFieldByName("header");
        return b.setField(f, complete((ResponseHeader) m.getField(f))).build();
    }
}
