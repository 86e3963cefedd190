package dev.ballot.node.http;

import dev.ballot.nodeapi.ForceNewCluster;

import java.io.IOException;

/**
 * Records a quorum-loss recovery from this member ({@code POST /v1/admin/force-new-cluster}); the process layer
 * writes it to the data directory and carries it out at the next start.
 */
@FunctionalInterface
public interface RecoveryHandler {
    ForceNewCluster.Result record(String id) throws IOException;
}
