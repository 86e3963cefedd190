package dev.ballot.nodeapi;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** The records read and write the JSON of docs/node-api.md, field for field. */
class WireFormatTest {
    private static final Path DOC = Path.of("..", "docs", "node-api.md");

    @Test
    void theDocumentedStatusExampleReadsAndWritesBackTheSameFieldsInTheSameOrder() throws IOException {
        String example = jsonBlockAfter("`GET /v1/status`:").replace("…", "x");
        StatusReport status = NodeJson.MAPPER.readValue(example, StatusReport.class);
        assertThat(status.nodeId()).isEqualTo("node-3");
        assertThat(status.leaderSinceInstant()).hasToString("2026-11-27T12:00:00.123Z");
        assertThat(status.members()).extracting(StatusReport.Member::self).containsExactly(false, true);
        assertThat(status.leads()).isFalse();
        assertThat(status.electing()).isFalse();

        JsonNode documented = NodeJson.MAPPER.readTree(example);
        JsonNode written = NodeJson.MAPPER.valueToTree(status);
        assertThat(NodeJson.MAPPER.writeValueAsString(status)).isEqualTo(NodeJson.MAPPER.writeValueAsString(documented));
        assertThat(fieldNames(written)).containsExactlyElementsOf(fieldNames(documented));
        assertThat(fieldNames(written.get("members").get(0))).containsExactlyElementsOf(fieldNames(documented.get("members").get(0)));
    }

    @Test
    void zabFieldsAndFailureAreWrittenOnlyWhenPresentWhileNullableFieldsAreWrittenAsNull() {
        StatusReport raft = new StatusReport("c", "node-1", 1, "raft", "candidate", 3, null, null, null, null, 5, 5, 6,
                null, null, null, "0.1.0", null, null, null, null, null, null, null, null, List.of());
        JsonNode json = NodeJson.MAPPER.valueToTree(raft);
        assertThat(json.has("zxid")).isFalse();
        assertThat(json.has("committedZxid")).isFalse();
        assertThat(json.has("failure")).isFalse();
        assertThat(json.get("leaderId").isNull()).isTrue();
        assertThat(json.get("leaderContactMs").isNull()).isTrue();
        assertThat(json.get("leaderReachable").isNull()).isTrue();
        assertThat(raft.electing()).isTrue();

        StatusReport zab = new StatusReport("c", "node-1", 1, "zab", "leading", 7, "node-1", "h:2379", null, "2026-01-01T00:00:00Z",
                0x700000411L, 0x700000411L, 0x700000412L, "0x700000412", "0x700000411", 0L, "0.1.0", "fsync failed", null, null, null, null, null, null, null, List.of());
        JsonNode z = NodeJson.MAPPER.valueToTree(zab);
        assertThat(fieldNames(z)).containsSubsequence("lastLogIndex", "zxid", "committedZxid", "leaderContactMs", "version",
                "failure", "members");
        assertThat(zab.leads()).isTrue();
        assertThat(z.has("alarms")).as("written only by a store with quota support").isFalse();
    }

    @Test
    void theNospaceAlarmIsReadFromAStatusBody() throws IOException {
        StatusReport st = NodeJson.MAPPER.readValue("{\"clusterId\":\"c\",\"nodeId\":\"n\",\"alarms\":[\"NOSPACE\"],"
                + "\"keyspaceBytes\":9000,\"quotaBytes\":8192,\"members\":[]}", StatusReport.class);
        assertThat(st.noSpaceAlarm()).isTrue();
        assertThat(st.keyspaceBytes()).isEqualTo(9000L);
        assertThat(NodeJson.MAPPER.readValue("{\"alarms\":[],\"members\":[]}", StatusReport.class).noSpaceAlarm()).isFalse();
        assertThat(NodeJson.MAPPER.readValue("{\"members\":[]}", StatusReport.class).noSpaceAlarm()).isFalse();
    }

    @Test
    void theTlsObjectRoundTripsAndItsAbsenceReadsAsUnknown() throws IOException {
        StatusReport st = NodeJson.MAPPER.readValue("{\"nodeId\":\"n\",\"tls\":{\"certificateSha256\":\"aa\","
                + "\"issuerSha256\":\"bb\",\"notAfter\":\"2027-01-01T00:00:00Z\",\"trustedCaSha256\":[\"bb\",\"cc\"]},"
                + "\"members\":[]}", StatusReport.class);
        assertThat(st.tls().trusts("cc")).isTrue();
        assertThat(st.tls().trusts("dd")).isFalse();
        assertThat(st.tls().issuerSha256()).isEqualTo("bb");
        JsonNode back = NodeJson.MAPPER.valueToTree(st);
        assertThat(fieldNames(back)).containsSubsequence("version", "tls", "members");
        assertThat(fieldNames(back.get("tls"))).containsExactly("certificateSha256", "issuerSha256", "notAfter",
                "trustedCaSha256");
        StatusReport plain = NodeJson.MAPPER.readValue("{\"nodeId\":\"n\",\"members\":[]}", StatusReport.class);
        assertThat(plain.tls()).as("a node without TLS, or from before the field: not known").isNull();
        assertThat(NodeJson.MAPPER.valueToTree(plain).has("tls")).isFalse();
    }

    @Test
    void aCompareAndSetAlwaysSendsExpectAndItsRefusalKeepsAbsentApartFromEmpty() throws IOException {
        assertThat(NodeJson.MAPPER.writeValueAsString(new CasRequest(null, "v"))).isEqualTo("{\"expect\":null,\"value\":\"v\"}");
        assertThat(NodeJson.MAPPER.writeValueAsString(new CasRequest("\"quoted\"\n", "v")))
                .isEqualTo("{\"expect\":\"\\\"quoted\\\"\\n\",\"value\":\"v\"}");

        String absent = NodeJson.MAPPER.writeValueAsString(ApiError.compareFailed("m", null));
        assertThat(absent).isEqualTo("{\"error\":\"compare_failed\",\"message\":\"m\",\"field\":\"expect\",\"current\":null}");
        ApiError readAbsent = NodeJson.MAPPER.readValue(absent, ApiError.class);
        assertThat(readAbsent.currentValue()).isNull();
        assertThat(readAbsent.code()).isEqualTo(ErrorCode.COMPARE_FAILED);
        assertThat(NodeJson.MAPPER.readValue(NodeJson.MAPPER.writeValueAsString(ApiError.compareFailed("m", "")),
                ApiError.class).currentValue()).isEmpty();

        String plain = NodeJson.MAPPER.writeValueAsString(ApiError.of(ErrorCode.NO_LEADER, "m", null).withLeader("node-2", "h:2379"));
        assertThat(plain).isEqualTo("{\"error\":\"no_leader\",\"message\":\"m\",\"leader\":\"node-2\",\"leaderAddress\":\"h:2379\"}");
    }

    @Test
    void adminBodiesLeaveOutWhatTheNodeDerives() throws IOException {
        assertThat(NodeJson.MAPPER.writeValueAsString(TransferRequest.toMostCaughtUp())).isEqualTo("{}");
        assertThat(NodeJson.MAPPER.writeValueAsString(new TransferRequest("node-2"))).isEqualTo("{\"to\":\"node-2\"}");
        assertThat(NodeJson.MAPPER.writeValueAsString(new AddMemberRequest("c-3", "c-3.peers:2380", AddMemberRequest.LEARNER, null, null)))
                .isEqualTo("{\"id\":\"c-3\",\"address\":\"c-3.peers:2380\",\"kind\":\"learner\"}");
        assertThat(NodeJson.MAPPER.writeValueAsString(new AddMemberRequest("c-3", "h:2888:3888", AddMemberRequest.OBSERVER, 4L, "h:2379")))
                .isEqualTo("{\"id\":\"c-3\",\"memberId\":4,\"address\":\"h:2888:3888\",\"kind\":\"observer\",\"clientAddress\":\"h:2379\"}");
    }

    @Test
    void everyErrorCodeTheDocumentListsIsKnownAndMayHaveAppliedExactlyWhereItSaysUnknown() throws IOException {
        Map<String, Boolean> documented = new LinkedHashMap<>();
        Matcher row = Pattern.compile("(?m)^\\| \\d{3} \\| (.+?) \\| (.+?) \\|").matcher(Files.readString(DOC));
        while (row.find()) {
            Matcher code = Pattern.compile("`([a-z_]+)`").matcher(row.group(1));
            while (code.find()) {
                documented.put(code.group(1), row.group(2).contains("unknown"));
            }
        }
        assertThat(documented).hasSizeGreaterThan(20).containsKeys("outcome_unknown", "compare_failed", "read_failed");
        documented.forEach((code, unknown) -> {
            assertThat(ErrorCode.fromWire(code)).as(code).isNotEqualTo(ErrorCode.UNKNOWN);
            assertThat(ErrorCode.fromWire(code).mayHaveApplied()).as(code + " may have applied").isEqualTo(unknown);
        });
        assertThat(ErrorCode.fromWire("something_new")).isEqualTo(ErrorCode.UNKNOWN);
        assertThat(ErrorCode.UNKNOWN.mayHaveApplied()).isTrue();
    }

    @Test
    void pathsEncodeKeysAndNamesAsOneSegment() {
        assertThat(NodePaths.kv("a/b c+d")).isEqualTo("/v1/kv/a%2Fb%20c%2Bd");
        assertThat(NodePaths.cas("k")).isEqualTo("/v1/kv/k/cas");
        assertThat(NodePaths.promote("c-3")).isEqualTo("/v1/admin/members/c-3/promote");
        assertThat(NodePaths.member("c-3")).isEqualTo("/v1/admin/members/c-3");
    }

    private static String jsonBlockAfter(String marker) throws IOException {
        String doc = Files.readString(DOC);
        int at = doc.indexOf(marker);
        assertThat(at).as("docs/node-api.md has " + marker).isNotNegative();
        int start = doc.indexOf("```json\n", at) + "```json\n".length();
        return doc.substring(start, doc.indexOf("```", start));
    }

    private static List<String> fieldNames(JsonNode n) {
        List<String> names = new ArrayList<>();
        n.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
