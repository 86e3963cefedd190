package dev.ballot.nodeapi.tls;

/** TLS material that cannot be used: the message names the file and the fix. */
public final class TlsException extends Exception {
    public TlsException(String message) {
        super(message);
    }

    public TlsException(String message, Throwable cause) {
        super(message, cause);
    }
}
