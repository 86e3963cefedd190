package dev.ballot.engine.kv;

/**
 * What applying a command did. {@code revision} is the index (zxid for ZAB) of the entry that made
 * the change; {@code succeeded} is false only for a CAS whose expectation failed, and then
 * {@code current} holds the value found (null when absent).
 */
public record KvResult(long requestId, long revision, boolean succeeded, byte[] current) {
}
