package dev.ballot.etcd;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.etcd.jetcd.api.ResponseHeader;
import java.io.IOException;

/** Response headers as etcd fills them: cluster_id, member_id, revision, raft_term. */
final class Headers {
    /** Every response in etcd's rpc.proto declares {@code ResponseHeader header = 1}. */
    private static final int HEADER_FIELD = 1;

    private final EtcdBackend backend;

    Headers(EtcdBackend backend) {
        this.backend = backend;
    }

    ResponseHeader of(long revision) {
        return who().setRevision(revision).build();
    }

    /**
     * {@code m} (a response the state machine gave, its header holding the store's revision) with the header completed
     * by who answers: cluster, member and term. Done by merging the encoded field 1 into the response, which every
     * response type parses with its generated code. Protobuf's reflective field access would first build the
     * descriptors of all of etcd's .proto files, 100-450 ms on the first call in a process (measured on this machine,
     * C1, under load), which a member paid on the first write it answered as leader, after every failover to a member
     * that had not led before (docs/bench.md, "The first write after an election").
     */
    Message stamp(Message m) {
        try {
            return m.toBuilder().mergeFrom(headerField(who().build())).build();
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("cannot merge a response header into " + m.getClass().getSimpleName(), e);
        }
    }

    private ResponseHeader.Builder who() {
        return ResponseHeader.newBuilder().setClusterId(backend.clusterId()).setMemberId(backend.memberId())
                .setRaftTerm(backend.term());
    }

    private static ByteString headerField(ResponseHeader header) {
        ByteString.Output bytes = ByteString.newOutput(header.getSerializedSize() + 4);
        CodedOutputStream out = CodedOutputStream.newInstance(bytes);
        try {
            out.writeMessage(HEADER_FIELD, header);
            out.flush();
        } catch (IOException e) {
            throw new IllegalStateException("encoding a response header in memory failed", e);
        }
        return bytes.toByteString();
    }
}
