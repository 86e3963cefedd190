package dev.ballot.bench;

import java.io.IOException;
import java.util.OptionalInt;

/** A 3-member cluster of one system under test, running as real processes on loopback. */
public interface BenchCluster extends AutoCloseable {
    /** The system's name in the output: {@code ballot-raft}, {@code ballot-zab}, {@code etcd}, {@code zookeeper}. */
    String system();

    /** Version and timing, for the header line. */
    String describe();

    int size();

    /** Starts every member; a system that starts its members together overrides it. */
    default void startAll() throws IOException {
        for (int i = 0; i < size(); i++) {
            restart(i);
        }
    }

    /** Every member answers and all agree on one leader. */
    boolean healthy();

    /** The member (0-based) that leads, as the members report it. */
    OptionalInt leader();

    /** A member whose process ended though the bench did not kill it, with its exit code; null when none. */
    String exitedUnexpectedly();

    /** SIGKILL; also ends a frozen member. */
    void kill(int member) throws InterruptedException;

    /** SIGSTOP: the member stays with its sockets open and stops answering; {@link #kill} ends it later. */
    void freeze(int member) throws IOException, InterruptedException;

    /**
     * Whether the member says it leads, asked with a short timeout (a frozen or electing member must not hold
     * up the poll that times elections): false when it does not answer.
     */
    boolean claimsLeadership(int member, java.time.Duration timeout);

    /** The member's running process, for its memory; null when it is not running. */
    Process process(int member);

    void restart(int member) throws IOException;

    /** A client bound to one member. */
    KvSession session(int member) throws IOException;

    /** Where the members' logs and data are. */
    String logs();

    @Override
    void close();
}
