package dev.ballot.engine.zab;

import dev.ballot.engine.EntryType;
import dev.ballot.engine.LogEntry;
import dev.ballot.engine.MalformedMessageException;
import dev.ballot.engine.Membership;
import dev.ballot.engine.Message;
import dev.ballot.engine.Snapshot;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ZabCodecTest {
    /** version, type, from, to, leader, zxid, peerEpoch, round, state, designated. */
    private static final int SHORT_NOTIFICATION = 1 + 1 + 8 + 8 + 8 + 8 + 8 + 8 + 1 + 8;
    private final ZabCodec codec = new ZabCodec();
    private final List<LogEntry> entries = List.of(
            new LogEntry(Zxid.of(2, 1), 2, EntryType.COMMAND, new byte[]{1, 2, 3}),
            new LogEntry(Zxid.of(2, 2), 2, EntryType.CONFIG, new byte[0]));
    private final Snapshot snapshot = new Snapshot(Zxid.of(1, 9), 1, Membership.voters(1, 2, 3), new byte[]{9, 9});

    private List<ZabMessage> samples() {
        return List.of(
                new ZabMessage.Notification(1, 2, 3, Zxid.of(1, 4), 1, 7, ServerState.LOOKING, 0),
                new ZabMessage.Notification(1, 2, 3, -1, -1, 7, ServerState.OBSERVING, 3),
                new ZabMessage.Notification(3, 2, 3, Zxid.of(1, 4), 1, 7, ServerState.LEADING, 0, Zxid.of(2, 1),
                        Membership.voters(1, 3).with(new dev.ballot.engine.Member(2, dev.ballot.engine.MemberKind.OBSERVER,
                                "h2:2888"))),
                new ZabMessage.FollowerInfo(2, 3, 4, Zxid.of(4, 1), true),
                new ZabMessage.LeaderInfo(3, 2, 5),
                new ZabMessage.AckEpoch(2, 3, 5, 4, Zxid.of(4, 1), true),
                new ZabMessage.AckEpoch(2, 3, 5, 4, Zxid.of(4, 1), false),
                new ZabMessage.NewLeader(3, 2, 5, SyncPlan.Mode.TRUNC, Zxid.of(1, 2), null, Zxid.of(1, 2), entries, 7),
                new ZabMessage.NewLeader(3, 2, 5, SyncPlan.Mode.SNAP, -1, snapshot, snapshot.index(), entries, 7),
                new ZabMessage.Ack(2, 3, 5, Zxid.of(5, 1)),
                new ZabMessage.UpToDate(3, 2, 5, Zxid.of(5, 0)),
                new ZabMessage.Propose(3, 2, 5, Zxid.of(2, 0), entries, Zxid.of(2, 0)),
                new ZabMessage.Commit(3, 2, 5, Zxid.of(5, 3)),
                new ZabMessage.Inform(3, 4, 5, 0, entries, Zxid.of(2, 2)),
                new ZabMessage.Ping(3, 2, 5, 11, 12),
                new ZabMessage.PingAck(2, 3, 5, 5, 11, 12),
                new ZabMessage.NeedSnapshot(2, 3, 5),
                new ZabMessage.Elect(3, 2, 5, 2, Zxid.of(5, 3), 5, 9));
    }

    @Test
    void aNotificationWithoutAConfigurationKeepsThePreviousFiftyNineByteForm() throws MalformedMessageException {
        // A looker sends no configuration: the frame is the one a node of the previous version reads (and sends).
        ZabMessage.Notification looking = new ZabMessage.Notification(1, 2, 3, Zxid.of(1, 4), 1, 7, ServerState.LOOKING, 0);
        byte[] bytes = codec.encode(looking);
        assertThat(bytes).hasSize(SHORT_NOTIFICATION);
        assertThat(codec.decode(bytes)).isEqualTo(looking);
        ZabMessage.Notification leading = new ZabMessage.Notification(3, 2, 3, Zxid.of(1, 4), 1, 7, ServerState.LEADING,
                0, Zxid.of(2, 1), Membership.voters(3));
        byte[] longer = codec.encode(leading);
        assertThat(longer.length).isGreaterThan(bytes.length);
        assertThat(codec.decode(longer)).isEqualTo(leading);
        // a configuration cut short is refused, never read as a shorter one
        assertThatThrownBy(() -> codec.decode(java.util.Arrays.copyOf(longer, longer.length - 1)))
                .isInstanceOf(MalformedMessageException.class);
    }

    @Test
    void everyMessageRoundTrips() throws MalformedMessageException {
        for (ZabMessage m : samples()) {
            Message back = codec.decode(codec.encode(m));
            if (m instanceof ZabMessage.NewLeader nl && nl.snapshot() != null) {
                ZabMessage.NewLeader b = (ZabMessage.NewLeader) back;
                assertThat(b.snapshot().index()).isEqualTo(nl.snapshot().index());
                assertThat(b.snapshot().membership()).isEqualTo(nl.snapshot().membership());
                assertThat(b.snapshot().data()).isEqualTo(nl.snapshot().data());
                assertThat(b.entries()).isEqualTo(nl.entries());
            } else {
                assertThat(back).isEqualTo(m);
            }
        }
    }

    @Test
    void truncatedFramesAreMalformed() {
        for (ZabMessage m : samples()) {
            byte[] full = codec.encode(m);
            for (int len = 0; len < full.length; len++) {
                byte[] cut = java.util.Arrays.copyOf(full, len);
                if (m instanceof ZabMessage.Notification n && n.config() != null && len == SHORT_NOTIFICATION) {
                    // The configuration is an optional tail (the previous version's form ends here); frames are
                    // length-delimited by the transport, so a frame is never cut there by accident.
                    continue;
                }
                assertThatThrownBy(() -> codec.decode(cut)).isInstanceOf(MalformedMessageException.class);
            }
        }
    }

    @Test
    void garbageOnlyEverThrowsMalformed() {
        SplittableRandom random = new SplittableRandom(42);
        List<ZabMessage> samples = samples();
        for (int i = 0; i < 20_000; i++) {
            byte[] bytes;
            if (i % 2 == 0) {
                bytes = new byte[random.nextInt(64)];
                for (int k = 0; k < bytes.length; k++) {
                    bytes[k] = (byte) random.nextInt(256);
                }
            } else {
                bytes = codec.encode(samples.get(random.nextInt(samples.size())));
                int flips = 1 + random.nextInt(4);
                for (int f = 0; f < flips; f++) {
                    bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
                }
            }
            try {
                codec.decode(bytes);
            } catch (MalformedMessageException expected) {
                // the only acceptable failure
            }
        }
    }

    @Test
    void hugeLengthsDoNotAllocate() {
        byte[] bytes = codec.encode(new ZabMessage.Propose(3, 2, 5, 0, entries, 0));
        // the entry count sits after version, type, from, to, epoch and prevZxid
        int countAt = 1 + 1 + 8 + 8 + 8 + 8;
        bytes[countAt] = 0x7f;
        byte[] hostile = bytes;
        assertThatThrownBy(() -> codec.decode(hostile)).isInstanceOf(MalformedMessageException.class)
                .hasMessageContaining("entry count");
    }

    @Test
    void wrongVersionIsNamed() {
        byte[] bytes = codec.encode(new ZabMessage.LeaderInfo(3, 2, 5));
        bytes[0] = 9;
        assertThatThrownBy(() -> codec.decode(bytes)).isInstanceOf(MalformedMessageException.class)
                .hasMessageContaining("version");
    }
}
