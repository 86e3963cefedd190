package dev.ballot.etcd;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import dev.ballot.engine.MalformedMessageException;
import io.etcd.jetcd.api.AlarmRequest;
import io.etcd.jetcd.api.CompactionRequest;
import io.etcd.jetcd.api.DeleteRangeRequest;
import io.etcd.jetcd.api.LeaseGrantRequest;
import io.etcd.jetcd.api.LeaseRevokeRequest;
import io.etcd.jetcd.api.PutRequest;
import io.etcd.jetcd.api.TxnRequest;

import java.nio.ByteBuffer;

/**
 * An etcd request as it travels in the log: a tag byte, a kind, the proposer's request id and the request's
 * own protobuf bytes. Lease expiry is its own kind: the leader's decision, applied like a revoke but never an
 * error (the lease may already be gone).
 */
public record EtcdCommand(Kind kind, long requestId, Message request) {
    /** First byte of every etcd command; the HTTP key-value store's commands start with 0..2. */
    static final byte TAG = (byte) 0xE3;

    /** New kinds go last: the ordinal is what the log holds. */
    public enum Kind { PUT, DELETE_RANGE, TXN, COMPACT, LEASE_GRANT, LEASE_REVOKE, LEASE_EXPIRE, ALARM }

    public byte[] encode() {
        byte[] body = request.toByteArray();
        return ByteBuffer.allocate(2 + 8 + body.length).put(TAG).put((byte) kind.ordinal()).putLong(requestId)
                .put(body).array();
    }

    public static EtcdCommand decode(byte[] bytes) throws MalformedMessageException {
        if (bytes.length < 10 || bytes[0] != TAG || bytes[1] < 0 || bytes[1] >= Kind.values().length) {
            throw new MalformedMessageException("not an etcd command");
        }
        Kind kind = Kind.values()[bytes[1]];
        long requestId = ByteBuffer.wrap(bytes, 2, 8).getLong();
        try {
            Message m = switch (kind) {
                case PUT -> PutRequest.parseFrom(ByteBuffer.wrap(bytes, 10, bytes.length - 10));
                case DELETE_RANGE -> DeleteRangeRequest.parseFrom(ByteBuffer.wrap(bytes, 10, bytes.length - 10));
                case TXN -> TxnRequest.parseFrom(ByteBuffer.wrap(bytes, 10, bytes.length - 10));
                case COMPACT -> CompactionRequest.parseFrom(ByteBuffer.wrap(bytes, 10, bytes.length - 10));
                case LEASE_GRANT -> LeaseGrantRequest.parseFrom(ByteBuffer.wrap(bytes, 10, bytes.length - 10));
                case LEASE_REVOKE, LEASE_EXPIRE -> LeaseRevokeRequest.parseFrom(ByteBuffer.wrap(bytes, 10, bytes.length - 10));
                case ALARM -> AlarmRequest.parseFrom(ByteBuffer.wrap(bytes, 10, bytes.length - 10));
            };
            return new EtcdCommand(kind, requestId, m);
        } catch (InvalidProtocolBufferException e) {
            throw new MalformedMessageException("etcd command body: " + e.getMessage());
        }
    }
}
