package dev.ballot.engine.raft;

import dev.ballot.engine.EntryType;
import dev.ballot.engine.LogEntry;
import dev.ballot.engine.MalformedMessageException;
import dev.ballot.engine.Member;
import dev.ballot.engine.MemberKind;
import dev.ballot.engine.Membership;
import dev.ballot.engine.Snapshot;
import dev.ballot.engine.raft.RaftMessage.AppendEntries;
import dev.ballot.engine.raft.RaftMessage.AppendResponse;
import dev.ballot.engine.raft.RaftMessage.Heartbeat;
import dev.ballot.engine.raft.RaftMessage.HeartbeatResponse;
import dev.ballot.engine.raft.RaftMessage.InstallSnapshot;
import dev.ballot.engine.raft.RaftMessage.RequestVote;
import dev.ballot.engine.raft.RaftMessage.TimeoutNow;
import dev.ballot.engine.raft.RaftMessage.VoteResponse;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RaftCodecTest {
    private final RaftCodec codec = new RaftCodec();

    static List<RaftMessage> samples() {
        Membership members = Membership.of(List.of(new Member(1, MemberKind.VOTER, "a:2380"),
                new Member(4, MemberKind.LEARNER, "d:2380")));
        return List.of(
                new RequestVote(1, 2, 3, 10, 2, true, false),
                new RequestVote(1, 2, 3, 10, 2, false, true),
                new VoteResponse(2, 1, 3, true, true),
                new VoteResponse(2, 1, 3, false, false),
                new AppendEntries(1, 2, 3, 4, 2, 4, List.of()),
                new AppendEntries(1, 2, 3, 4, 2, 4, List.of(new LogEntry(5, 3, EntryType.COMMAND, new byte[]{1, 2}),
                        new LogEntry(6, 3, EntryType.NOOP, null), new LogEntry(7, 3, EntryType.CONFIG, new byte[]{9}))),
                new AppendResponse(2, 1, 3, true, 4, 2, 1),
                new AppendResponse(2, 1, 3, false, 7, 0, 0),
                new Heartbeat(1, 2, 3, 4, 17),
                new HeartbeatResponse(2, 1, 3, 17),
                new InstallSnapshot(1, 2, 3, new Snapshot(9, 2, members, new byte[]{5, 6, 7})),
                new TimeoutNow(1, 2, 3));
    }

    @Test
    void everyMessageRoundTrips() throws Exception {
        for (RaftMessage m : samples()) {
            byte[] bytes = codec.encode(m);
            RaftMessage back = codec.decode(bytes);
            assertThat(back.getClass()).isEqualTo(m.getClass());
            assertThat(codec.encode(back)).isEqualTo(bytes);
            if (!(m instanceof InstallSnapshot)) {
                assertThat(back).isEqualTo(m);
            } else {
                Snapshot s = ((InstallSnapshot) back).snapshot();
                assertThat(s.membership()).isEqualTo(((InstallSnapshot) m).snapshot().membership());
                assertThat(s.data()).containsExactly(5, 6, 7);
            }
        }
    }

    @Test
    void everyTruncationIsMalformed() {
        for (RaftMessage m : samples()) {
            byte[] bytes = codec.encode(m);
            for (int len = 0; len < bytes.length; len++) {
                byte[] cut = Arrays.copyOf(bytes, len);
                assertThatThrownBy(() -> codec.decode(cut)).isInstanceOf(MalformedMessageException.class);
            }
            byte[] longer = Arrays.copyOf(bytes, bytes.length + 1);
            assertThatThrownBy(() -> codec.decode(longer)).hasMessageContaining("trailing");
        }
    }

    @Test
    void badFieldsAreNamed() {
        byte[] bytes = codec.encode(new Heartbeat(1, 2, 3, 4, 5));
        bytes[0] = 9;
        assertThatThrownBy(() -> codec.decode(bytes)).hasMessageContaining("version");
        byte[] type = codec.encode(new Heartbeat(1, 2, 3, 4, 5));
        type[1] = 42;
        assertThatThrownBy(() -> codec.decode(type)).hasMessageContaining("type 42");
        byte[] gap = codec.encode(new AppendEntries(1, 2, 3, 4, 2, 4,
                List.of(new LogEntry(9, 3, EntryType.COMMAND, null))));
        assertThatThrownBy(() -> codec.decode(gap)).hasMessageContaining("expected 5");
        assertThatThrownBy(() -> codec.decode(null)).isInstanceOf(MalformedMessageException.class);
    }

    @Property(tries = 3000)
    void garbageNeverThrowsAnythingElse(@ForAll("garbage") byte[] bytes) {
        try {
            codec.decode(bytes);
        } catch (MalformedMessageException expected) {
            // the only allowed failure
        }
    }

    @Property(tries = 2000)
    void mutatedMessagesNeverThrowAnythingElse(@ForAll("mutations") byte[] bytes) {
        try {
            RaftMessage m = codec.decode(bytes);
            // Accepted bytes may be non-canonical (members out of order); their re-encoding must be stable.
            byte[] canonical = codec.encode(m);
            assertThat(codec.encode(codec.decode(canonical))).isEqualTo(canonical);
        } catch (MalformedMessageException expected) {
            // the only allowed failure
        }
    }

    @Provide
    Arbitrary<byte[]> garbage() {
        return Arbitraries.bytes().array(byte[].class).ofMaxSize(200);
    }

    @Provide
    Arbitrary<byte[]> mutations() {
        List<byte[]> encoded = new ArrayList<>();
        for (RaftMessage m : samples()) {
            encoded.add(codec.encode(m));
        }
        return Combinators.combine(Arbitraries.of(encoded), Arbitraries.integers().between(0, 10_000),
                Arbitraries.bytes()).as((b, pos, val) -> {
                    byte[] copy = b.clone();
                    copy[pos % copy.length] = val;
                    return copy;
                });
    }
}
