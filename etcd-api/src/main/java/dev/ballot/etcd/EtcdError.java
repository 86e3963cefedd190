package dev.ballot.etcd;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/**
 * The errors etcd's server sends, with its gRPC codes and its exact messages: clients match on them
 * (clientv3 and jetcd map {@code etcdserver: mvcc: required revision has been compacted} to ErrCompacted, a
 * kube-apiserver restarts its watch on it, etc.). Each means one thing.
 */
public enum EtcdError {
    COMPACTED(Status.Code.OUT_OF_RANGE, "etcdserver: mvcc: required revision has been compacted"),
    FUTURE_REV(Status.Code.OUT_OF_RANGE, "etcdserver: mvcc: required revision is a future revision"),
    LEASE_NOT_FOUND(Status.Code.NOT_FOUND, "etcdserver: requested lease not found"),
    LEASE_EXIST(Status.Code.FAILED_PRECONDITION, "etcdserver: lease already exists"),
    LEASE_TTL_TOO_LARGE(Status.Code.OUT_OF_RANGE, "etcdserver: too large lease TTL"),
    KEY_NOT_FOUND(Status.Code.INVALID_ARGUMENT, "etcdserver: key not found"),
    EMPTY_KEY(Status.Code.INVALID_ARGUMENT, "etcdserver: key is not provided"),
    DUPLICATE_KEY(Status.Code.INVALID_ARGUMENT, "etcdserver: duplicate key given in txn request"),
    TOO_MANY_OPS(Status.Code.INVALID_ARGUMENT, "etcdserver: too many operations in txn request"),
    REQUEST_TOO_LARGE(Status.Code.INVALID_ARGUMENT, "etcdserver: request is too large"),
    NO_LEADER(Status.Code.UNAVAILABLE, "etcdserver: no leader"),
    NOT_LEADER(Status.Code.UNAVAILABLE, "etcdserver: not leader"),
    LEADER_CHANGED(Status.Code.UNAVAILABLE, "etcdserver: leader changed"),
    TIMEOUT(Status.Code.UNAVAILABLE, "etcdserver: request timed out"),
    STOPPED(Status.Code.UNAVAILABLE, "etcdserver: server stopped"),
    TOO_MANY_REQUESTS(Status.Code.RESOURCE_EXHAUSTED, "etcdserver: too many requests"),
    /** The store would pass its quota (quota_bytes, etcd's --quota-backend-bytes): not applied on any member. */
    NO_SPACE(Status.Code.RESOURCE_EXHAUSTED, "etcdserver: mvcc: database space exceeded"),
    ELECTION_NO_LEADER(Status.Code.FAILED_PRECONDITION, "etcdserver: election: no leader"),
    ELECTION_NOT_LEADER(Status.Code.FAILED_PRECONDITION, "etcdserver: election: not leader"),
    NOT_CAPABLE(Status.Code.UNIMPLEMENTED, "etcdserver: not capable");

    private final Status.Code code;
    private final String message;

    EtcdError(Status.Code code, String message) {
        this.code = code;
        this.message = message;
    }

    public String message() {
        return message;
    }

    public StatusRuntimeException exception() {
        return Status.fromCode(code).withDescription(message).asRuntimeException();
    }

    /** Thrown inside the store and the services; the gRPC layer sends it as {@link #exception()}. */
    public static final class Failure extends RuntimeException {
        private final EtcdError error;

        public Failure(EtcdError error) {
            super(error.message, null, false, false);
            this.error = error;
        }

        public EtcdError error() {
            return error;
        }
    }

    public Failure failure() {
        return new Failure(this);
    }
}
