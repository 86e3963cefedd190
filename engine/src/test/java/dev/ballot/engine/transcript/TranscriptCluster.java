package dev.ballot.engine.transcript;

import dev.ballot.engine.ConsensusNode;
import dev.ballot.engine.HardState;
import dev.ballot.engine.LogEntry;
import dev.ballot.engine.Membership;
import dev.ballot.engine.Message;
import dev.ballot.engine.NodeStatus;
import dev.ballot.engine.PersistedState;
import dev.ballot.engine.Protocol;
import dev.ballot.engine.RandomSource;
import dev.ballot.engine.Ready;
import dev.ballot.engine.raft.RaftNode;
import dev.ballot.engine.raft.RaftOptions;
import dev.ballot.engine.zab.ZabNode;
import dev.ballot.engine.zab.ZabOptions;
import dev.ballot.engine.zab.ZabMessage;
import dev.ballot.engine.zab.Zxid;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The interpreter behind the transcripts: one cluster of one protocol, driven by hand, every Ready printed.
 * Commands:
 * <ul>
 *   <li>{@code add-nodes N [prevote=true] [checkquorum=true]}: voters 1..N. Raft: election timeout exactly 10
 *       ticks, heartbeat 1. ZAB: tickTime 2, initLimit 10, syncLimit 4, finalizeWait 2;</li>
 *   <li>{@code campaign ID} (Raft): tick node ID until its election timer fires;</li>
 *   <li>{@code tick ID [N]}: N ticks (default 1) of node ID;</li>
 *   <li>{@code stabilize}: until nothing moves, every node handles its Ready (persist, send, apply, advance),
 *       then every node receives what was sent to it;</li>
 *   <li>{@code propose ID DATA}, {@code transfer-leadership from=ID to=ID}, {@code state} (every node's status).</li>
 * </ul>
 */
final class TranscriptCluster {
    private final Protocol protocol;
    private final Map<Long, ConsensusNode> nodes = new TreeMap<>();
    private final Map<Long, List<Message>> inboxes = new TreeMap<>();

    TranscriptCluster(Protocol protocol) {
        this.protocol = protocol;
    }

    String run(Transcript.Command c) {
        return switch (c.name()) {
            case "add-nodes" -> addNodes(c);
            case "campaign" -> campaign(c.word(0));
            case "tick" -> tick(c.word(0), c.words().size() > 1 ? (int) c.word(1) : 1);
            case "stabilize" -> stabilize();
            case "propose" -> nodes.get(c.word(0)).propose(c.words().get(1).getBytes(StandardCharsets.UTF_8)).toString();
            case "transfer-leadership" -> "accepted=" + nodes.get(Long.parseLong(c.arg("from", "0")))
                    .transferLeadership(Long.parseLong(c.arg("to", "0")));
            case "state" -> state();
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
            inboxes.put(id, new ArrayList<>());
            if (protocol == Protocol.RAFT) {
                RaftOptions o = RaftOptions.builder(id, voters).electionTicks(10, 10).heartbeatTicks(1)
                        .preVote(Boolean.parseBoolean(c.arg("prevote", "false")))
                        .checkQuorum(Boolean.parseBoolean(c.arg("checkquorum", "false")))
                        .random(RandomSource.seeded(id)).build();
                nodes.put(id, RaftNode.create(o, PersistedState.EMPTY));
            } else {
                ZabOptions o = ZabOptions.builder(id, voters).tickTime(2).initLimit(10).syncLimit(4).finalizeWait(2)
                        .random(RandomSource.seeded(id)).build();
                nodes.put(id, ZabNode.create(o, PersistedState.EMPTY));
            }
        }
        return "ok";
    }

    private String campaign(long id) {
        RaftNode n = (RaftNode) nodes.get(id);
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
            for (ConsensusNode n : nodes.values()) {
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

    private void handleReady(ConsensusNode n, StringBuilder out) {
        Ready r = n.ready();
        out.append("> ").append(n.id()).append(" handling Ready\n");
        HardState hs = r.hardState();
        if (hs != null) {
            out.append("  HardState ").append(protocol == Protocol.ZAB
                    ? "currentEpoch=" + hs.term() + " acceptedEpoch=" + hs.acceptedEpoch()
                    : "term=" + hs.term() + " vote=" + hs.vote()).append(" commit=").append(index(hs.commit())).append('\n');
        }
        if (r.truncateFrom() != Ready.NO_TRUNCATION) {
            out.append("  Truncate from ").append(index(r.truncateFrom())).append('\n');
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

    /** A Raft index, or a ZAB zxid as epoch:counter in hex. */
    private String index(long index) {
        return protocol == Protocol.ZAB ? Zxid.hex(index) : Long.toString(index);
    }

    private String entries(List<LogEntry> entries) {
        List<String> s = new ArrayList<>();
        for (LogEntry e : entries) {
            s.add(index(e.index()) + "@" + e.term() + " " + e.type()
                    + (e.data().length == 0 ? "" : " " + new String(e.data(), StandardCharsets.UTF_8)));
        }
        return String.join(", ", s);
    }

    /**
     * {@code 1->2 RequestVote[term=1, ...]}: the record's own text without its from and to; a notification's
     * configuration as its version and member ids ({@code config=0x0:1,2,3}, observers marked {@code o}).
     */
    private static String message(Message m) {
        String text = m.toString().replace("from=" + m.from() + ", to=" + m.to() + ", ", "");
        if (m instanceof ZabMessage.Notification n && n.config() == null) {
            text = text.replace(", configVersion=0, config=null", "");
        } else if (m instanceof ZabMessage.Notification n) {
            text = text.replace("configVersion=" + n.configVersion() + ", config=" + n.config(), "config="
                    + Zxid.hex(n.configVersion()) + ":" + String.join(",", n.config().members().stream()
                    .map(x -> x.id() + (x.kind().votes() ? "" : "o")).toList()));
        }
        return m.from() + "->" + m.to() + " " + text;
    }

    private String state() {
        StringBuilder out = new StringBuilder();
        for (ConsensusNode n : nodes.values()) {
            NodeStatus s = n.status();
            out.append(s.id()).append(": ").append(s.role()).append(" term=").append(s.term()).append(" leader=")
                    .append(s.leaderId()).append(" commit=").append(index(s.commitIndex())).append(" last=")
                    .append(index(s.lastLogIndex())).append('\n');
        }
        return out.toString();
    }
}
