package dev.ballot.operator.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The CEL rules of the committed CRD (crds/), compiled and evaluated with cel-java, since no API server runs here.
 * Kubernetes evaluates them with cel-go; the rules use only the standard library (plus quantity(), which is
 * Kubernetes' own and only compiled there).
 */
class CrdCelRulesTest {
    private static final CelCompiler COMPILER = CelCompilerFactory.standardCelCompilerBuilder()
            .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
            .addVar("self", SimpleType.DYN)
            .addVar("oldSelf", SimpleType.DYN)
            .build();
    private static final CelRuntime RUNTIME = CelRuntimeFactory.standardCelRuntimeBuilder().build();
    /** Schema path ("", "spec", "spec.raft", ...) -> rules with their messages. */
    private static final Map<String, List<Map<String, Object>>> RULES = new HashMap<>();

    @BeforeAll
    @SuppressWarnings("unchecked")
    static void loadCrd() throws Exception {
        Map<String, Object> crd = Serialization.unmarshal(
                Files.readString(Path.of("../crds/electionclusters.ballot.dev-v1.yml")), Map.class);
        Map<String, Object> spec = (Map<String, Object>) crd.get("spec");
        Map<String, Object> version = ((List<Map<String, Object>>) spec.get("versions")).get(0);
        Map<String, Object> schema = (Map<String, Object>) ((Map<String, Object>) version.get("schema"))
                .get("openAPIV3Schema");
        collect("", schema);
    }

    @SuppressWarnings("unchecked")
    private static void collect(String path, Map<String, Object> schema) {
        Object rules = schema.get("x-kubernetes-validations");
        if (rules != null) {
            RULES.computeIfAbsent(path, k -> new ArrayList<>()).addAll((List<Map<String, Object>>) rules);
        }
        Object props = schema.get("properties");
        if (props instanceof Map<?, ?> map) {
            map.forEach((k, v) -> collect(path.isEmpty() ? (String) k : path + "." + k, (Map<String, Object>) v));
        }
    }

    @Test
    void everyRuleHasAMessageNamingItsFieldAndCompiles() throws Exception {
        assertThat(RULES.keySet()).contains("", "spec", "spec.protocol", "spec.replicas", "spec.raft", "spec.storage");
        for (var entry : RULES.entrySet()) {
            for (Map<String, Object> rule : entry.getValue()) {
                String message = (String) rule.get("message");
                assertThat(message).as(rule.toString()).matches("(metadata\\.name|spec\\.[a-zA-Z.]+) .*: .*");
                String expr = (String) rule.get("rule");
                if (!expr.contains("quantity(")) {
                    assertThat(COMPILER.compile(expr).getAst()).as(expr).isNotNull();
                }
            }
        }
    }

    @ParameterizedTest(name = "raft {0}/{1}/{2}: broken rule {3}")
    @CsvSource({
        "150ms, 300ms, 50ms, ",
        "100ms, 200ms, 30ms, ",
        "300ms, 150ms, 50ms, electionTimeoutMin must be at least 10ms",
        "150ms, 155ms, 50ms, electionTimeoutMin must be at least 10ms",
        "150ms, 300ms, 60ms, heartbeatInterval must be at most a third",
        "150ms, 300ms, 5ms, heartbeatInterval must be at least 10ms",
        "150ms, 61s, 50ms, electionTimeoutMax must be at most 60s"})
    void raftTiming(String min, String max, String heartbeat, String broken) throws Exception {
        Map<String, Object> raft = Map.of("electionTimeoutMin", min, "electionTimeoutMax", max,
                "heartbeatInterval", heartbeat);
        assertBroken("spec.raft", raft, null, broken);
    }

    @ParameterizedTest(name = "{0} learners={1} observers={2}: broken rule {3}")
    @CsvSource({
        "Raft, 1, 0, ",
        "Zab, 0, 1, ",
        "Zab, 1, 0, spec.learners is for Raft only",
        "Raft, 0, 2, spec.observers is for Zab only"})
    void nonVotersMatchTheProtocol(String protocol, long learners, long observers, String broken) throws Exception {
        assertBroken("spec", Map.of("protocol", protocol, "learners", learners, "observers", observers), null,
                broken);
    }

    @ParameterizedTest(name = "name {0}: broken rule {1}")
    @CsvSource({
        "raft-3, ",
        "a2345678901234567890123456789012345678901234567890ab, ",
        "a2345678901234567890123456789012345678901234567890abc, at most 52 characters",
        "3raft, DNS-1035",
        "Raft, DNS-1035"})
    void names(String name, String broken) throws Exception {
        assertBroken("", Map.of("metadata", Map.of("name", name)), null, broken);
    }

    @Test
    void transitionRules() throws Exception {
        assertBroken("spec.protocol", "Raft", "Raft", null);
        assertBroken("spec.protocol", "Zab", "Raft", "spec.protocol is immutable");
        assertBroken("spec.replicas", 0L, null, "spec.replicas must be at least 1");
        Map<String, Object> raft = Map.of("protocol", "Raft");
        assertBroken("spec", withStorage("fast"), withStorage("fast"), null);
        assertBroken("spec", raft, raft, null);
        assertBroken("spec", withStorage("slow"), withStorage("fast"), "storageClassName is immutable");
        assertBroken("spec", withStorage("fast"), raft, "storageClassName is immutable");
        assertBroken("spec", raft, withStorage("fast"), "storageClassName is immutable");
        assertBroken("spec.storage", Map.of("size", "2Gi"), Map.of("size", "1Gi"), null);
    }

    @Test
    void providedCertificatesTakeNoClientsAndAreImmutable() throws Exception {
        Map<String, Object> provided = Map.of("enabled", true, "certificates", "Provided");
        assertBroken("spec", Map.of("protocol", "Raft", "tls", provided), null, null);
        assertBroken("spec", Map.of("protocol", "Raft", "tls", provided, "clients", List.of()), null, null);
        assertBroken("spec", Map.of("protocol", "Raft", "tls", Map.of("certificates", "Operator"),
                "clients", List.of("app")), null, null);
        assertBroken("spec", Map.of("protocol", "Raft", "tls", provided, "clients", List.of("app")), null,
                "spec.clients needs the operator's certificates");
        assertBroken("spec.tls.certificates", "Provided", "Provided", null);
        assertBroken("spec.tls.certificates", "Provided", "Operator", "spec.tls.certificates is immutable");
    }

    private static Map<String, Object> withStorage(String storageClass) {
        return Map.of("protocol", "Raft", "storage", Map.of("size", "1Gi", "storageClassName", storageClass));
    }

    /** Evaluates every rule at {@code path}; exactly the one whose message contains {@code broken} must fail. */
    private static void assertBroken(String path, Object self, Object oldSelf, String broken) throws Exception {
        List<String> failed = new ArrayList<>();
        for (Map<String, Object> rule : RULES.getOrDefault(path, List.of())) {
            String expr = (String) rule.get("rule");
            boolean transition = expr.contains("oldSelf");
            if (expr.contains("quantity(") || (transition && oldSelf == null)) {
                continue;
            }
            Map<String, Object> vars = new HashMap<>();
            vars.put("self", self);
            if (transition) {
                vars.put("oldSelf", oldSelf);
            }
            Object result = RUNTIME.createProgram(COMPILER.compile(expr).getAst()).eval(vars);
            if (!Boolean.TRUE.equals(result)) {
                failed.add((String) rule.get("message"));
            }
        }
        if (broken == null || broken.isBlank()) {
            assertThat(failed).as("rules at %s for %s", path, self).isEmpty();
        } else {
            assertThat(failed).as("rules at %s for %s", path, self).singleElement()
                    .satisfies(m -> assertThat(m).contains(broken));
        }
    }
}
