package dev.ballot.operator.api;

/** The consensus protocol a cluster runs. Spelled as users write it in YAML. */
public enum ConsensusProtocol {
    Raft,
    Zab
}
