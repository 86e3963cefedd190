package dev.ballot.engine.transcript;

import dev.ballot.engine.HardState;
import dev.ballot.engine.LogEntry;
import dev.ballot.engine.Membership;
import dev.ballot.engine.Message;
import dev.ballot.engine.PersistedState;
import dev.ballot.engine.Proposal;
import dev.ballot.engine.RandomSource;
import dev.ballot.engine.Ready;
import dev.ballot.engine.raft.RaftNode;
import dev.ballot.engine.raft.RaftOptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Raft behaviours that read best as a transcript (testdata/raft/*.txt), one Ready per step as etcd-io/raft's
 * interaction tests print them. Commands:
 * <ul>
 *   <li>{@code add-nodes N [prevote=true] [checkquorum=true]}: voters 1..N, election timeout exactly 10 ticks,
 *       heartbeat 1;</li>
 *   <li>{@code campaign ID}: tick node ID until its election timer fires;</li>
 *   <li>{@code tick ID [N]}: N ticks (default 1);</li>
 *   <li>{@code stabilize}: until nothing moves, every node handles its Ready (persist, send, apply, advance),
 *       then every node receives what was sent to it;</li>
 *   <li>{@code propose ID DATA}, {@code transfer-leadership from=ID to=ID}, {@code raft-state}.</li>
 * </ul>
 * Rewrite the expected outputs with {@code -Dballot.rewrite=true}, then read the diff.
 */
class RaftTranscriptTest {
    private static final Path DIR = Path.of("src/test/resources/testdata/raft");

    static Stream<Path> files() throws IOException {
        try (Stream<Path> s = Files.list(DIR)) {
            return s.filter(p -> p.toString().endsWith(".txt")).sorted().toList().stream();
        }
    }

    @ParameterizedTest
    @MethodSource("files")
    void transcript(Path file) throws IOException {
        assertThat(Transcript.run(file, new Interpreter()::run)).isEmpty();
    }

    @org.junit.jupiter.api.Test
    void aWrongExpectationIsReported() throws IOException {
        Path tmp = Files.createTempFile("transcript", ".txt");
        try {
            Files.writeString(tmp, "add-nodes 3\n----\nnot what it prints\n", StandardCharsets.UTF_8);
            assertThat(Transcript.run(tmp, new Interpreter()::run, false)).singleElement().asString()
                    .contains("--- expected\nnot what it prints").contains("--- actual\nok");
        } finally {
            Files.delete(tmp);
        }
    }

    /** One cluster per file; each command prints what happened. */
    static final class Interpreter {
        private final Map<Long, RaftNode> nodes = new TreeMap<>();
        private final Map<Long, List<Message>> inboxes = new TreeMap<>();

        String run(Transcript.Command c) {
            return switch (c.name()) {
                case "add-nodes" -> addNodes(c);
                case "campaign" -> campaign(c.word(0));
                case "tick" -> tick(c.word(0), c.words().size() > 1 ? (int) c.word(1) : 1);
                case "stabilize" -> stabilize();
                case "propose" -> propose(c.word(0), c.words().get(1));
                case "transfer-leadership" -> transfer(Long.parseLong(c.arg("from", "0")), Long.parseLong(c.arg("to", "0")));
                case "raft-state" -> raftState();
                default -> throw new IllegalArgumentException("line " + c.line() + ": unknown command " + c.name());
            };
        }

        private String addNodes(Transcript.Command c) {
            int n = (int) c.word(0);
            long[] ids = new long[n];
            for (int i = 0; i < n; i++) {
                ids[i] = i + 1;
            }
            Membership voters = Membership.voters(ids);
            for (long id : ids) {
                RaftOptions o = RaftOptions.builder(id, voters).electionTicks(10, 10).heartbeatTicks(1)
                        .preVote(Boolean.parseBoolean(c.arg("prevote", "false")))
                        .checkQuorum(Boolean.parseBoolean(c.arg("checkquorum", "false")))
                        .random(RandomSource.seeded(id)).build();
                nodes.put(id, RaftNode.create(o, PersistedState.EMPTY));
                inboxes.put(id, new ArrayList<>());
            }
            return "ok";
        }

        private String campaign(long id) {
            RaftNode n = nodes.get(id);
            int ticks = 0;
            while (n.role() == RaftNode.Role.FOLLOWER && ticks <= n.options().electionTicksMax()) {
                n.tick();
                ticks++;
            }
            return "ticked " + ticks + " times: " + n.role() + " term=" + n.currentTerm();
        }

        private String tick(long id, int times) {
            for (int i = 0; i < times; i++) {
                nodes.get(id).tick();
            }
            return "ok";
        }

        private String stabilize() {
            StringBuilder out = new StringBuilder();
            boolean moved = true;
            for (int round = 0; moved && round < 100; round++) {
                moved = false;
                for (RaftNode n : nodes.values()) {
                    if (n.hasReady()) {
                        moved = true;
                        handleReady(n, out);
                    }
                }
                for (Map.Entry<Long, List<Message>> e : inboxes.entrySet()) {
                    if (e.getValue().isEmpty()) {
                        continue;
                    }
                    moved = true;
                    List<Message> batch = List.copyOf(e.getValue());
                    e.getValue().clear();
                    out.append("> ").append(e.getKey()).append(" receiving messages\n");
                    for (Message m : batch) {
                        out.append("  ").append(message(m)).append('\n');
                        nodes.get(e.getKey()).step(m);
                    }
                }
            }
            return out.toString();
        }

        private void handleReady(RaftNode n, StringBuilder out) {
            Ready r = n.ready();
            out.append("> ").append(n.id()).append(" handling Ready\n");
            HardState hs = r.hardState();
            if (hs != null) {
                out.append("  HardState term=").append(hs.term()).append(" vote=").append(hs.vote())
                        .append(" commit=").append(hs.commit()).append('\n');
            }
            if (!r.entries().isEmpty()) {
                out.append("  Entries: ").append(entries(r.entries())).append('\n');
            }
            if (!r.committed().isEmpty()) {
                out.append("  Committed: ").append(entries(r.committed())).append('\n');
            }
            if (!r.messages().isEmpty()) {
                out.append("  Messages:\n");
                for (Message m : r.messages()) {
                    out.append("  ").append(message(m)).append('\n');
                    inboxes.get(m.to()).add(m);
                }
            }
            r.readStates().forEach(rs -> out.append("  ReadState ").append(rs).append('\n'));
            n.advance(r);
        }

        private static String entries(List<LogEntry> entries) {
            List<String> s = new ArrayList<>();
            for (LogEntry e : entries) {
                s.add(e.index() + "@" + e.term() + " " + e.type()
                        + (e.data().length == 0 ? "" : " " + new String(e.data(), StandardCharsets.UTF_8)));
            }
            return String.join(", ", s);
        }

        /** {@code 1->2 RequestVote[term=1, ...]}: the record's own text without its from and to. */
        private static String message(Message m) {
            String text = m.toString().replace("from=" + m.from() + ", to=" + m.to() + ", ", "");
            return m.from() + "->" + m.to() + " " + text;
        }

        private String propose(long id, String data) {
            Proposal p = nodes.get(id).propose(data.getBytes(StandardCharsets.UTF_8));
            return p.toString();
        }

        private String transfer(long from, long to) {
            return "accepted=" + nodes.get(from).transferLeadership(to);
        }

        private String raftState() {
            StringBuilder out = new StringBuilder();
            for (RaftNode n : nodes.values()) {
                out.append(n.id()).append(": ").append(n.role()).append(" term=").append(n.currentTerm())
                        .append(" lead=").append(n.leaderId()).append(" commit=").append(n.commitIndex())
                        .append(" last=").append(n.lastIndex()).append('\n');
            }
            return out.toString();
        }
    }
}
