/**
 * Raft as a deterministic state machine, shaped after etcd-io/raft.
 *
 * <p>Build a member with {@code RaftOptions.builder(id, initial)...build()} and
 * {@link dev.ballot.engine.raft.RaftNode#create}. The driver feeds ticks, peer messages (decoded by
 * {@link dev.ballot.engine.raft.RaftCodec}) and client calls; whenever {@code hasReady()} it takes {@code ready()},
 * persists and syncs it, sends its messages, applies its committed entries and answers its read states, then calls
 * {@code advance} with that same Ready. Contracts worth knowing:
 * <ul>
 *   <li>{@code advance} takes the Ready most recently returned by {@code ready()}; steps may happen in between.</li>
 *   <li>{@code compact(index, data)} only for an index already acknowledged through {@code advance};
 *       {@link dev.ballot.engine.raft.RaftNode#snapshot()} then returns the snapshot (with the configuration in
 *       force at that index) to store.</li>
 *   <li>A configuration is in force as soon as its entry is in the log; the leader accepts the next change only
 *       once the previous one (and an entry of its own term) is committed. Invalid changes throw
 *       {@code IllegalArgumentException} naming the member and the fix.</li>
 *   <li>{@code requestRead} answers false on a non-leader; on a leader the ReadState comes after a quorum
 *       heartbeat round, and not before the leader has committed an entry of its term.</li>
 *   <li>Every node must be given the same bootstrap membership; a member added later is started with it too
 *       (it is not a voter there, so it waits for the leader to send it the log or a snapshot).</li>
 * </ul>
 */
package dev.ballot.engine.raft;
