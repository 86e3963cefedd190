package dev.ballot.node.transport;

import dev.ballot.engine.EntryType;
import dev.ballot.engine.LogEntry;
import dev.ballot.engine.Membership;
import dev.ballot.engine.Message;
import dev.ballot.engine.MessageCodec;
import dev.ballot.engine.Snapshot;
import dev.ballot.engine.raft.RaftCodec;
import dev.ballot.engine.raft.RaftMessage;
import dev.ballot.engine.zab.ServerState;
import dev.ballot.engine.zab.SyncPlan;
import dev.ballot.engine.zab.ZabCodec;
import dev.ballot.engine.zab.ZabMessage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes the Raft and ZAB seeds of {@link FrameFuzzTest}'s corpus: real messages framed as on the wire, so the fuzzer
 * starts from valid input. Run from the repository root after a codec changes:
 * {@code java -cp node-image/target/test-classes:node-image/target/classes:engine/target/classes
 * dev.ballot.node.transport.FrameFuzzSeeds node-image/src/test/resources/dev/ballot/node/transport/FrameFuzzTestInputs/fuzzFrames}
 */
public final class FrameFuzzSeeds {
    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[0]);
        List<LogEntry> entries = List.of(new LogEntry(5, 2, EntryType.COMMAND, "put k v".getBytes(StandardCharsets.UTF_8)),
                new LogEntry(6, 2, EntryType.NOOP, null));
        Snapshot snap = new Snapshot(4, 1, Membership.voters(1, 2, 3), "image".getBytes(StandardCharsets.UTF_8));
        write(dir, "raft-vote-and-append", new RaftCodec(),
                new RaftMessage.RequestVote(2, 1, 3, 10, 2, true, false),
                new RaftMessage.VoteResponse(2, 1, 3, false, true),
                new RaftMessage.AppendEntries(2, 1, 2, 4, 1, 4, entries),
                new RaftMessage.AppendResponse(2, 1, 2, true, 4, 3, 1));
        write(dir, "raft-heartbeat-snapshot-timeout", new RaftCodec(),
                new RaftMessage.Heartbeat(2, 1, 2, 6, 77),
                new RaftMessage.HeartbeatResponse(2, 1, 2, 77),
                new RaftMessage.InstallSnapshot(2, 1, 2, snap),
                new RaftMessage.TimeoutNow(2, 1, 2));
        long z = 2L << 32;
        write(dir, "zab-election-and-sync", new ZabCodec(),
                new ZabMessage.Notification(2, 1, 2, z | 5, 2, 1, ServerState.LOOKING, 0),
                new ZabMessage.FollowerInfo(2, 1, 2, z | 5, false),
                new ZabMessage.LeaderInfo(2, 1, 3),
                new ZabMessage.AckEpoch(2, 1, 3, 2, z | 5, false),
                new ZabMessage.NewLeader(2, 1, 3, SyncPlan.Mode.SNAP, 0, snap, 4, entries, 4));
        write(dir, "zab-broadcast", new ZabCodec(),
                new ZabMessage.Propose(2, 1, 3, z | 6, List.of(new LogEntry(3L << 32 | 1, 3, EntryType.COMMAND, new byte[] {1})), z | 6),
                new ZabMessage.Ack(2, 1, 3, 3L << 32 | 1),
                new ZabMessage.Commit(2, 1, 3, 3L << 32 | 1),
                new ZabMessage.UpToDate(2, 1, 3, z | 6),
                new ZabMessage.Ping(2, 1, 3, z | 6, 9),
                new ZabMessage.PingAck(2, 1, 3, 3, z | 6, 9),
                new ZabMessage.NeedSnapshot(2, 1, 3));
    }

    private static void write(Path dir, String name, MessageCodec codec, Message... messages) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(new byte[] {(byte) 31, (byte) 255}); // read chunk 32 bytes, frame limit 16 KiB
        out.writeBytes(new Handshake("my-data-cluster-1", 2).toFrame().encode());
        for (Message m : messages) {
            out.writeBytes(new Frame(Frame.Type.MESSAGE, codec.encode(m)).encode());
        }
        Files.write(dir.resolve(name), out.toByteArray());
    }
}
