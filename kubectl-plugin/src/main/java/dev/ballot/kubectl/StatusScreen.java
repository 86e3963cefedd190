package dev.ballot.kubectl;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code kubectl ballot status}: one screen with what an on-call engineer asks first (who leads since when, is there
 * a quorum and how much to spare, what is the operator doing, which member is behind, what was asked of it). Pure:
 * an ElectionCluster as JSON in, text out.
 */
public final class StatusScreen {
    private StatusScreen() {
    }

    public static String render(JsonNode cluster, Instant now) {
        JsonNode meta = cluster.path("metadata");
        JsonNode spec = cluster.path("spec");
        JsonNode s = cluster.path("status");
        StringBuilder out = new StringBuilder();
        out.append(text(meta, "name")).append(" in ").append(text(meta, "namespace")).append(": ")
                .append(or(text(spec, "protocol"), "?")).append(", ").append(or(text(s, "phase"), "no status yet"));
        long gen = meta.path("generation").asLong(0);
        if (s.has("observedGeneration") && s.path("observedGeneration").asLong() < gen) {
            out.append(" (status is for generation ").append(s.path("observedGeneration").asLong())
                    .append(", spec is at ").append(gen).append(")");
        }
        out.append('\n');
        String leader = text(s, "leader");
        out.append("Leader:   ").append(leader == null ? "none" : leader + " in term " + or(text(s, "term"), "?")
                + (text(s, "leaderSince") == null ? "" : ", since " + text(s, "leaderSince") + " ("
                + ago(text(s, "leaderSince"), now) + ")")).append(s.has("leaderChanges")
                ? "; " + s.path("leaderChanges").asLong() + " leader changes seen" : "").append('\n');
        JsonNode q = s.path("quorum");
        if (!q.isMissingNode()) {
            out.append("Quorum:   ").append(q.path("healthy").asInt()).append('/').append(q.path("voters").asInt())
                    .append(" voters healthy, ").append(q.path("required").asInt()).append(" required, fault tolerance ")
                    .append(q.path("faultTolerance").asInt()).append('\n');
        }
        JsonNode r = s.path("rollout");
        String step = text(r, "step");
        out.append("Rollout:  ").append(step == null || step.isEmpty() ? "nothing to do" : "next: " + step)
                .append(text(r, "blockedBy") == null || text(r, "blockedBy").isEmpty() ? ""
                        : " (waiting: " + text(r, "blockedBy") + ")").append('\n');

        List<List<String>> members = new ArrayList<>();
        members.add(List.of("MEMBER", "ROLE", "VOTER", "READY", "LAG", "CONTACT", "REVISION", "MESSAGE"));
        for (JsonNode m : s.path("members")) {
            members.add(List.of(or(text(m, "name"), "?"), or(text(m, "role"), "?"), yesNo(m.path("voter")),
                    yesNo(m.path("ready")), or(text(m, "lag"), "-"),
                    m.has("lastContactMs") ? m.path("lastContactMs").asLong() + "ms" : "-",
                    or(text(m, "revision"), "-"), or(text(m, "message"), "")));
        }
        if (members.size() > 1) {
            out.append('\n').append(table(members));
        }

        List<List<String>> conditions = new ArrayList<>();
        conditions.add(List.of("CONDITION", "STATUS", "REASON", "SINCE", "MESSAGE"));
        for (JsonNode c : s.path("conditions")) {
            conditions.add(List.of(or(text(c, "type"), "?"), or(text(c, "status"), "?"), or(text(c, "reason"), ""),
                    ago(text(c, "lastTransitionTime"), now), or(text(c, "message"), "")));
        }
        if (conditions.size() > 1) {
            out.append('\n').append(table(conditions));
        }

        List<List<String>> actions = new ArrayList<>();
        actions.add(List.of("ACTION", "TARGET", "PHASE", "REASON", "REQUEST", "FINISHED", "MESSAGE"));
        for (JsonNode a : s.path("actions")) {
            actions.add(List.of(or(text(a, "name"), "?"), or(text(a, "target"), ""), or(text(a, "phase"), "?"),
                    or(text(a, "reason"), ""), or(text(a, "requestId"), ""),
                    text(a, "finishedAt") == null ? "-" : ago(text(a, "finishedAt"), now), or(text(a, "message"), "")));
        }
        out.append('\n').append(actions.size() > 1 ? table(actions) : "No one-off actions requested.\n");
        return out.toString();
    }

    /** Left-aligned columns two spaces apart; the last column is not padded. */
    static String table(List<List<String>> rows) {
        int columns = rows.get(0).size();
        int[] width = new int[columns];
        for (List<String> row : rows) {
            for (int i = 0; i < columns; i++) {
                width[i] = Math.max(width[i], row.get(i).length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (List<String> row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < columns; i++) {
                line.append(i == columns - 1 ? row.get(i) : String.format("%-" + width[i] + "s  ", row.get(i)));
            }
            out.append(line.toString().stripTrailing()).append('\n');
        }
        return out.toString();
    }

    /** "5s ago", "3m ago", "2h ago", "4d ago"; "-" when unknown. */
    static String ago(String rfc3339, Instant now) {
        if (rfc3339 == null) {
            return "-";
        }
        try {
            Duration d = Duration.between(Instant.parse(rfc3339), now);
            long sec = Math.max(0, d.getSeconds());
            return sec < 120 ? sec + "s ago" : sec < 7200 ? sec / 60 + "m ago" : sec < 172800 ? sec / 3600 + "h ago"
                    : sec / 86400 + "d ago";
        } catch (DateTimeParseException e) {
            return rfc3339;
        }
    }

    static String text(JsonNode node, String field) {
        JsonNode v = node.path(field);
        return v.isMissingNode() || v.isNull() ? null : v.asText();
    }

    private static String or(String value, String otherwise) {
        return value == null ? otherwise : value;
    }

    private static String yesNo(JsonNode v) {
        return v.isMissingNode() || v.isNull() ? "?" : v.asBoolean() ? "yes" : "no";
    }
}
