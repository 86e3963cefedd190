package dev.ballot.engine;

/**
 * Encodes one protocol's messages to bytes and back. Pure (byte arrays only); the node frames the
 * bytes on TCP. Decoding hostile input must throw {@link MalformedMessageException} and nothing else.
 */
public interface MessageCodec {
    byte[] encode(Message message);

    Message decode(byte[] bytes) throws MalformedMessageException;
}
