package dev.ballot.etcd;

import com.google.protobuf.Message;

/** What applying an etcd command gave: the response (its header's revision set), or the etcd error. */
public record EtcdResult(long requestId, Message response, EtcdError error) {
}
