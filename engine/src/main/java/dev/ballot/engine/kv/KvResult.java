package dev.ballot.engine.kv;

/**
 * What applying a command did. {@code revision} is the index (zxid for ZAB) of the entry that made
 * the change; {@code succeeded} is false for a CAS whose expectation failed, and then
 * {@code current} holds the value found (null when absent), and for a write refused by the keyspace
 * quota, and then {@code noSpace} is true (nothing changed).
 */
public record KvResult(long requestId, long revision, boolean succeeded, byte[] current, boolean noSpace) {
    public KvResult(long requestId, long revision, boolean succeeded, byte[] current) {
        this(requestId, revision, succeeded, current, false);
    }
}
