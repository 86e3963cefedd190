package dev.ballot.engine;

/** Bytes that are not a valid message of the protocol; the connection that sent them is closed. */
public class MalformedMessageException extends Exception {
    public MalformedMessageException(String message) {
        super(message);
    }
}
