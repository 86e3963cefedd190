package dev.ballot.node.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import dev.ballot.engine.Member;
import dev.ballot.engine.MemberKind;
import dev.ballot.engine.MemberProgress;
import dev.ballot.engine.Membership;
import dev.ballot.engine.MembershipChange;
import dev.ballot.engine.Protocol;
import dev.ballot.node.server.MemberDirectory;
import dev.ballot.node.server.RuntimeStatus;
import dev.ballot.nodeapi.AddMemberRequest;
import dev.ballot.nodeapi.Configuration;
import dev.ballot.nodeapi.NodePaths;
import dev.ballot.nodeapi.TransferRequest;
import dev.ballot.nodeapi.TransferResult;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** {@code /v1/admin/...}: leadership transfer and one-at-a-time membership changes, all idempotent. */
final class AdminRoutes extends RouteSupport {
    /** A transfer target further behind the leader's last index than this is "not caught up" (409). */
    static final long MAX_TRANSFER_LAG = 100;

    private final SnapshotRoute snapshot;
    /** Quorum-loss recovery; null where the process offers none (tests, the demo). */
    volatile RecoveryHandler recovery;

    AdminRoutes(NodeInfo info, LeaderForwarder forwarder) {
        super(info, forwarder);
        this.snapshot = new SnapshotRoute(this);
    }

    void handle(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        String member = NodePaths.MEMBERS + "/";
        if (path.equals(NodePaths.SNAPSHOT)) {
            Exchanges.requireMethod(ex, "GET");
            snapshot.handle(ex);
        } else if (path.equals(NodePaths.TRANSFER_LEADERSHIP)) {
            Exchanges.requireMethod(ex, "POST");
            transfer(ex);
        } else if (path.equals(NodePaths.FORCE_NEW_CLUSTER)) {
            Exchanges.requireMethod(ex, "POST");
            forceNewCluster(ex);
        } else if (path.equals(NodePaths.MEMBERS)) {
            Exchanges.requireMethod(ex, "POST", "GET");
            if (ex.getRequestMethod().equals("GET")) {
                Exchanges.sendJson(ex, 200, configuration(info.runtime().status().membership()));
            } else {
                addMember(ex);
            }
        } else if (path.startsWith(member) && path.endsWith(NodePaths.PROMOTE_SUFFIX)) {
            Exchanges.requireMethod(ex, "POST");
            String name = path.substring(member.length(), path.length() - NodePaths.PROMOTE_SUFFIX.length());
            promote(ex, name);
        } else if (path.startsWith(member) && path.indexOf('/', member.length()) < 0) {
            Exchanges.requireMethod(ex, "DELETE");
            remove(ex, path.substring(member.length()));
        } else {
            throw new ApiException(404, "not_found", "path", "no admin endpoint at " + path
                    + "; see docs/node-api.md (transfer-leadership, members, members/{id}/promote, snapshot, force-new-cluster)");
        }
    }

    /**
     * Quorum-loss recovery: only while this member knows no leader (else the quorum is not lost and the cluster must
     * not be rebuilt from one member). Recorded durably; carried out when the member next starts.
     */
    private void forceNewCluster(HttpExchange ex) throws IOException {
        ObjectNode json = jsonBody(ex);
        JsonNode id = json.get("id");
        if (id == null || !id.isTextual() || id.textValue().isBlank()) {
            throw ApiException.badRequest("id", "\"id\" must name the recovery request, e.g. {\"id\": \"2026-12-06-1\"}");
        }
        RecoveryHandler handler = recovery;
        if (handler == null) {
            throw new ApiException(404, "not_found", "path", "this process offers no quorum-loss recovery");
        }
        RuntimeStatus st = info.runtime().status();
        if (st.leaderId() != 0) {
            throw new ApiException(409, "quorum_available", "id", "this member " + (st.isLeader() ? "leads" : "follows "
                    + info.directory().name(st.leaderId())) + ": the quorum is not lost, so the cluster is not rebuilt "
                    + "from one member (nothing was recorded)");
        }
        Exchanges.sendJson(ex, 200, handler.record(id.textValue().trim()));
    }

    private void transfer(HttpExchange ex) throws IOException {
        ObjectNode json = jsonBody(ex);
        JsonNode toNode = json.get("to");
        if (toNode != null && !toNode.isNull() && (!toNode.isTextual() || toNode.textValue().isBlank())) {
            throw ApiException.badRequest("to", "\"to\" must be a member name such as \"node-2\", or omit it for the most caught-up voter");
        }
        String to = Exchanges.JSON.treeToValue(json, TransferRequest.class).to();
        long target = to == null ? 0 : resolve(to, "to");
        RuntimeStatus st = info.runtime().status();
        if (target != 0 && st.leaderId() == target) {
            Exchanges.sendJson(ex, 200, leaderAnswer(st));
            return;
        }
        if (target != 0 && !st.membership().isVoter(target)) {
            throw new ApiException(409, "not_voter", "to", to + " is not a voter; promote it first or choose a voter");
        }
        if (routedToLeader(ex)) {
            return;
        }
        if (target != 0) {
            long lag = lagOf(st, target);
            if (lag > MAX_TRANSFER_LAG) {
                throw new ApiException(409, "not_caught_up", "to", to + " is " + lag
                        + " entries behind the leader; wait for it to catch up or omit \"to\"");
            }
        } else if (st.membership().voterIds().size() < 2) {
            throw new ApiException(409, "no_target", "to", "there is no other voter to hand leadership to; add and promote one first");
        }
        boolean started = await(info.runtime().transferLeadership(target));
        if (!started) {
            throw new ApiException(409, "transfer_refused", "to", "the leader refused the transfer (another transfer or a "
                    + "membership change is in flight, or the target is not caught up); retry shortly");
        }
        long self = info.runtime().id();
        long wanted = target;
        RuntimeStatus after;
        try {
            after = info.runtime().awaitStatus(s -> s.leaderId() != 0 && s.leaderId() != self
                    && (wanted == 0 || s.leaderId() == wanted), info.requestTimeout());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(503, "stopping", null, "the node is stopping");
        }
        if (after.leaderId() == 0 || after.leaderId() == self || (wanted != 0 && after.leaderId() != wanted)) {
            throw new ApiException(504, "deadline", null, "leadership did not move within "
                    + info.requestTimeout().toMillis() + " ms; check /v1/status and retry");
        }
        Exchanges.sendJson(ex, 200, leaderAnswer(after));
    }

    private static long lagOf(RuntimeStatus st, long id) {
        for (MemberProgress m : st.node().members()) {
            if (m.id() == id) {
                return m.matchIndex() < 0 ? Long.MAX_VALUE : Math.max(0, st.node().lastLogIndex() - m.matchIndex());
            }
        }
        return Long.MAX_VALUE;
    }

    private TransferResult leaderAnswer(RuntimeStatus st) {
        return new TransferResult(info.directory().name(st.leaderId()),
                info.directory().clientAddress(st.leaderId()).orElse(null), st.node().term());
    }

    private void addMember(HttpExchange ex) throws IOException {
        ObjectNode req = jsonBody(ex);
        String name = requiredText(req, "id", "the new member's name, e.g. \"my-cluster-3\"");
        String address = requiredText(req, "address", "the new member's peer address host:port, e.g. \"my-cluster-3.my-cluster-peers:2380\"");
        if (!address.matches("^[^:\\s]+:\\d{1,5}(:\\d{1,5})?$")) {
            throw ApiException.badRequest("address", "address must be host:port (ZAB: host:peerPort:electionPort), got '" + address + "'");
        }
        String kindName = requiredText(req, "kind", "\"learner\" (Raft) or \"observer\" (ZAB)");
        AddMemberRequest add = Exchanges.JSON.treeToValue(req, AddMemberRequest.class);
        MemberKind kind;
        if (kindName.equals(AddMemberRequest.LEARNER) && info.protocol() == Protocol.RAFT) {
            kind = MemberKind.LEARNER;
        } else if (kindName.equals(AddMemberRequest.OBSERVER) && info.protocol() == Protocol.ZAB) {
            kind = MemberKind.OBSERVER;
        } else {
            throw ApiException.badRequest("kind", "kind must be " + (info.protocol() == Protocol.RAFT ? "\"learner\"" : "\"observer\"")
                    + " on a " + info.protocol().wireName() + " cluster (add as non-voter, then promote), got '" + kindName + "'");
        }
        long id = memberId(req, name);
        Membership current = info.runtime().status().membership();
        Optional<Member> existing = current.member(id);
        if (existing.isPresent() && !existing.get().address().equals(address)) {
            throw new ApiException(409, "member_conflict", "address", "member id " + id + " already exists with address "
                    + existing.get().address() + "; remove it first or use another id");
        }
        if (existing.isPresent() && existing.get().kind() == MemberKind.VOTER) {
            Exchanges.sendJson(ex, 200, configuration(current));
            return;
        }
        if (routedToLeader(ex)) {
            return;
        }
        String clientAddress = add.clientAddress() != null ? add.clientAddress()
                : MemberDirectory.hostOfAddress(address) + ":" + info.directory().defaultClientPort();
        info.directory().register(new MemberDirectory.Entry(id, name, address, clientAddress));
        MembershipChange.Type type = kind == MemberKind.LEARNER ? MembershipChange.Type.ADD_LEARNER : MembershipChange.Type.ADD_OBSERVER;
        Membership after = await(info.runtime().changeMembership(new MembershipChange(type, id, address)));
        Exchanges.sendJson(ex, 200, configuration(after));
    }

    private long memberId(ObjectNode req, String name) {
        JsonNode explicit = req.get("memberId");
        if (explicit != null && !explicit.isNull()) {
            if (!explicit.canConvertToLong() || explicit.asLong() <= 0) {
                throw ApiException.badRequest("memberId", "memberId must be a positive integer");
            }
            return explicit.asLong();
        }
        return info.directory().idOf(name).or(() -> MemberDirectory.idForNewName(name)).orElseThrow(() ->
                ApiException.badRequest("id", "cannot derive a member id from '" + name
                        + "': use a name ending in -<ordinal> (pod) or node-<id>, or give \"memberId\""));
    }

    private void promote(HttpExchange ex, String name) throws IOException {
        long id = resolve(name, "id");
        Membership current = info.runtime().status().membership();
        if (current.isVoter(id)) {
            Exchanges.sendJson(ex, 200, configuration(current));
            return;
        }
        if (!current.contains(id)) {
            throw new ApiException(404, "unknown_member", "id", name + " is not in the configuration; add it first with POST /v1/admin/members");
        }
        if (routedToLeader(ex)) {
            return;
        }
        Membership after = await(info.runtime().changeMembership(new MembershipChange(MembershipChange.Type.PROMOTE, id, null)));
        Exchanges.sendJson(ex, 200, configuration(after));
    }

    private void remove(HttpExchange ex, String name) throws IOException {
        Optional<Long> id = info.directory().idOf(name);
        Membership current = info.runtime().status().membership();
        if (id.isEmpty() || !current.contains(id.get())) {
            Exchanges.sendJson(ex, 200, configuration(current));
            return;
        }
        if (routedToLeader(ex)) {
            return;
        }
        Membership after = await(info.runtime().changeMembership(new MembershipChange(MembershipChange.Type.REMOVE, id.get(), null)));
        Exchanges.sendJson(ex, 200, configuration(after));
    }

    private long resolve(String name, String field) {
        return info.directory().idOf(name).orElseThrow(() -> new ApiException(404, "unknown_member", field,
                "no member named '" + name + "'; see GET /v1/status for the member names"));
    }

    private static String requiredText(ObjectNode req, String field, String what) {
        JsonNode n = req.get(field);
        if (n == null || n.isNull() || !n.isTextual() || n.textValue().isBlank()) {
            throw ApiException.badRequest(field, "give \"" + field + "\": " + what);
        }
        return n.textValue();
    }

    private Configuration configuration(Membership m) {
        List<Configuration.Entry> members = new ArrayList<>();
        for (Member member : m.members()) {
            members.add(new Configuration.Entry(info.directory().name(member.id()), member.id(), member.address(),
                    member.kind().wireName()));
        }
        return new Configuration(members);
    }
}
