package dev.ballot.node.cli;

/**
 * How much of a refused request's body the JDK's HTTP server reads and discards before it closes the connection.
 * A body over {@code max_request_bytes} is answered 413 before it is read; closing a socket with unread bytes makes
 * the kernel send a reset, which can destroy the 413 in the client's receive buffer before the client reads it (the
 * client then sees "connection reset" or "no bytes": an unclear error, and seen on a loaded machine). The server
 * drains what is left of the body after answering, but only up to this amount (the JDK's default is 64 KiB): a
 * client that sends more than 8 MiB past a refusal is not worth a clean answer.
 */
public final class RefusedBodyDrain {
    static final String PROPERTY = "sun.net.httpserver.drainAmount";
    static final long BYTES = 8L << 20;

    private RefusedBodyDrain() {
    }

    /** Before the first HTTP server of the process is made (the JDK reads the setting once); a given value stays. */
    public static void configure() {
        if (System.getProperty(PROPERTY) == null) {
            System.setProperty(PROPERTY, Long.toString(BYTES));
        }
    }
}
