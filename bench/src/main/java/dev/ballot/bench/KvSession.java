package dev.ballot.bench;

import java.time.Duration;

/** One client connection to one member. Every call is bounded by its timeout. */
public interface KvSession extends AutoCloseable {
    /** Returns once the member acknowledged the write as committed; throws otherwise. */
    void put(String key, byte[] value, Duration timeout) throws Exception;

    /** A linearizable read (the system's own notion of it); throws when not answered in time. */
    byte[] linearizableGet(String key, Duration timeout) throws Exception;

    @Override
    void close();
}
