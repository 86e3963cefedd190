package dev.ballot.engine;

/** A protocol message between members. Each protocol has its own sealed family and wire codec. */
public interface Message {
    long from();

    long to();
}
