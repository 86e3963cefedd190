/**
 * The deterministic simulator, generic over protocols.
 *
 * <p>{@link dev.ballot.engine.sim.Simulation} runs one seed: nodes on a virtual clock (10 ms ticks), a network
 * that delays, drops, duplicates, reorders and partitions (splits, one-way cuts, leader isolation, rings), crashes
 * that lose whatever a Ready had not yet synced, stalled processes, restarts from the simulated disk, clients
 * writing and reading (ReadIndex) a key-value store, membership changes, leadership transfers and compactions.
 * Every message goes through the protocol's codec. After every event it checks the protocol's
 * {@link dev.ballot.engine.sim.InvariantChecker} and state machine safety; at the end it checks linearizability
 * ({@link dev.ballot.engine.linearizability.LinearizabilityChecker}; a history it cannot decide fails the seed) and, after the final heal, liveness.
 * {@link dev.ballot.engine.sim.SimulationRunner} runs many seeds and sums up. The run's pieces: the driver
 * ({@code Simulation}: clock, nodes, each node's Ready loop), {@code SimNetwork} (codec round trip, loss,
 * duplication, delay, partitions), {@code SimFaults} (what goes wrong, and when), {@code SimClients} (the workload
 * and its history) and {@code StateMachineSafety}.
 *
 * <p>To plug in a protocol: implement {@link dev.ballot.engine.sim.ProtocolAdapter} (start a node from a
 * PersistedState, its codec, its checker, its mutants) and return it from
 * {@link dev.ballot.engine.sim.ProtocolAdapters#forProtocol}.
 */
package dev.ballot.engine.sim;
