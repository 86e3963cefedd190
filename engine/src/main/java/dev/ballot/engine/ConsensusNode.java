package dev.ballot.engine;

/**
 * One member's protocol as a deterministic state machine: no I/O, no threads, no clock. Time
 * enters only through {@link #tick()}, randomness only through an injected seeded source.
 *
 * <p>The driver loop (node program or simulator) is: feed {@link #tick()}, {@link #step(Message)}
 * and client calls; whenever {@link #hasReady()}, take {@link #ready()}, persist and sync, send,
 * apply, then {@link #advance(Ready)}. Implementations: Raft and ZAB.
 */
public interface ConsensusNode {
    long id();

    Protocol protocol();

    /** One unit of logical time. */
    void tick();

    /** Deliver a message from a peer. Unknown senders and stale terms are handled, never thrown. */
    void step(Message message);

    /**
     * A transport-level hint that the connection to or from {@code peerId} closed (EOF, reset, I/O
     * error): the peer's process most likely died. The engine sees only ticks and messages, so without
     * this it can tell a dead peer from a silent one only by a timeout; a protocol may use the hint to
     * start an election early. The hint may be wrong (a live peer whose socket merely broke), so it
     * must never affect safety, only liveness: at worst it causes one needless election. By default it
     * is ignored.
     */
    default void peerUnreachable(long peerId) {
    }

    /** Propose a state machine command; only a leader accepts. */
    Proposal propose(byte[] command);

    /**
     * Ask for a linearizable read. When a quorum has confirmed leadership, a {@link ReadState}
     * with this id appears in a Ready; a non-leader answers false at once.
     */
    boolean requestRead(long requestId);

    /** Move leadership to {@code target}, or to the most caught-up voter when target is 0. */
    boolean transferLeadership(long target);

    /** Propose one membership step (see {@link MembershipChange}). */
    Proposal proposeMembership(MembershipChange change);

    boolean hasReady();

    /** The pending batch; calling again before {@link #advance(Ready)} returns the same work. */
    Ready ready();

    /** Acknowledge that a batch was persisted, sent and applied. */
    void advance(Ready ready);

    /**
     * The caller took a state machine snapshot at {@code index} (already applied); the engine may
     * drop log entries up to it and use it to catch up slow followers.
     */
    void compact(long index, byte[] snapshotData);

    NodeStatus status();

    /** The configuration this node currently acts on. */
    Membership membership();
}
