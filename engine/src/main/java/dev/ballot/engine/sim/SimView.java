package dev.ballot.engine.sim;

import dev.ballot.engine.ConsensusNode;
import dev.ballot.engine.LogEntry;

import java.util.Collection;
import java.util.NavigableMap;

/** What a checker may look at: the running nodes and the entries known to be committed (applied somewhere). */
public interface SimView {
    /** Ids of nodes that are up, in id order. */
    Collection<Long> upNodes();

    ConsensusNode node(long id);

    /** Every entry some node has applied, by index; the same index never holds two different entries. */
    NavigableMap<Long, LogEntry> committed();

    /** Virtual time in milliseconds. */
    long now();
}
