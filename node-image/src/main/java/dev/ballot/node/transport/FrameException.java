package dev.ballot.node.transport;

/** Bytes on a peer connection that are not a valid frame; the connection is closed. */
public class FrameException extends Exception {
    public FrameException(String message) {
        super(message);
    }
}
