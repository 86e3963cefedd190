package dev.ballot.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.ballot.operator.reconciler.OperatorPermissions.Grant;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.reconciler.Workflow;
import io.javaoperatorsdk.operator.api.reconciler.dependent.Dependent;
import io.quarkiverse.operatorsdk.annotations.AdditionalRBACRules;
import io.quarkiverse.operatorsdk.annotations.RBACRule;
import java.io.IOException;
import java.lang.reflect.ParameterizedType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * One source of RBAC: deploy/rbac.yaml, the Helm chart's RBAC template and docs/operator.md's table grant exactly
 * {@link OperatorPermissions}, and that list covers what the code declares (the dependents' types, the reconciler's
 * {@code @AdditionalRBACRules}).
 */
class OperatorPermissionsTest {
    private static final Path ROOT = Path.of("..");
    private static final YAMLMapper YAML = new YAMLMapper();

    @Test
    void deployGrantsExactlyWhatTheCodeUses() throws IOException {
        List<JsonNode> docs = yamlDocuments(Files.readString(ROOT.resolve("deploy/rbac.yaml")));
        assertThat(rules(docs, "ClusterRole")).as("deploy/rbac.yaml ClusterRole").isEqualTo(
                byResource(OperatorPermissions.CLUSTER));
        assertThat(rules(docs, "Role")).as("deploy/rbac.yaml leader-election Role").isEqualTo(
                byResource(OperatorPermissions.OWN_NAMESPACE));
    }

    @Test
    void theHelmChartGrantsExactlyWhatTheCodeUses() throws IOException {
        // Template lines ({{ ... }}) only name, label and bind; the rules themselves are plain YAML.
        String template = Files.readString(ROOT.resolve("deploy/helm/ballot-operator/templates/rbac.yaml"))
                .lines().filter(l -> !l.contains("{{")).collect(Collectors.joining("\n"));
        List<JsonNode> docs = yamlDocuments(template);
        assertThat(rules(docs, "ClusterRole")).as("chart ClusterRole").isEqualTo(
                byResource(OperatorPermissions.CLUSTER));
        assertThat(rules(docs, "Role")).as("chart leader-election Role").isEqualTo(
                byResource(OperatorPermissions.OWN_NAMESPACE));
    }

    @Test
    void theDocsTableListsExactlyWhatTheCodeUses() throws IOException {
        String doc = Files.readString(ROOT.resolve("docs/operator.md"));
        String section = doc.substring(doc.indexOf("## RBAC the operator needs"));
        section = section.substring(0, section.indexOf("\n## ", 3));
        Map<String, TreeSet<String>> table = new TreeMap<>();
        Matcher row = Pattern.compile("(?m)^\\| `([^`]*)` \\| ([^|]+) \\| ([^|]+) \\|").matcher(section);
        while (row.find()) {
            String group = row.group(1).equals("\"\"") ? "" : row.group(1);
            for (String resource : row.group(2).replace("`", "").split(",")) {
                table.computeIfAbsent(key(group, resource.trim()), k -> new TreeSet<>())
                        .addAll(Arrays.stream(row.group(3).split(",")).map(String::trim).toList());
            }
        }
        List<Grant> all = new ArrayList<>(OperatorPermissions.CLUSTER);
        all.addAll(OperatorPermissions.OWN_NAMESPACE);
        assertThat(table).as("docs/operator.md RBAC table").isEqualTo(byResource(all));
    }

    @Test
    void theListCoversEveryDependentAndTheReconcilersExtraRules() {
        Map<String, TreeSet<String>> granted = byResource(OperatorPermissions.CLUSTER);
        granted.putAll(byResource(OperatorPermissions.OWN_NAMESPACE));
        for (Dependent d : ElectionClusterReconciler.class.getAnnotation(Workflow.class).dependents()) {
            Class<?> type = (Class<?>) ((ParameterizedType) d.type().getGenericSuperclass()).getActualTypeArguments()[0];
            @SuppressWarnings("unchecked")
            Class<? extends HasMetadata> kind = (Class<? extends HasMetadata>) type;
            String key = key(HasMetadata.getGroup(kind),
                    HasMetadata.getPlural(kind));
            assertThat(granted.get(key)).as("dependent %s (%s)", d.name(), key)
                    .contains("list", "watch", "create", "patch", "update");
        }
        for (RBACRule r : ElectionClusterReconciler.class.getAnnotation(AdditionalRBACRules.class).value()) {
            for (String resource : r.resources()) {
                assertThat(granted.get(key(r.apiGroups()[0], resource))).as("@RBACRule %s", resource)
                        .isEqualTo(new TreeSet<>(List.of(r.verbs())));
            }
        }
        // The primary resource: read, and its status patched.
        assertThat(granted.get(key("ballot.dev", "electionclusters"))).containsExactly("get", "list", "watch");
        assertThat(granted.get(key("ballot.dev", "electionclusters/status"))).containsExactly("patch");
    }

    private static List<JsonNode> yamlDocuments(String text) throws IOException {
        List<JsonNode> docs = new ArrayList<>();
        try (var it = YAML.readerFor(JsonNode.class).<JsonNode>readValues(text)) {
            while (it.hasNext()) {
                JsonNode n = it.next();
                if (n != null && !n.isNull() && !n.isMissingNode()) {
                    docs.add(n);
                }
            }
        }
        return docs;
    }

    /** "group/resource" to verbs over every object of that kind. */
    private static Map<String, TreeSet<String>> rules(List<JsonNode> docs, String kind) {
        Map<String, TreeSet<String>> out = new TreeMap<>();
        for (JsonNode doc : docs) {
            if (!kind.equals(doc.path("kind").asText())) {
                continue;
            }
            for (JsonNode rule : doc.path("rules")) {
                for (JsonNode group : rule.path("apiGroups")) {
                    for (JsonNode resource : rule.path("resources")) {
                        TreeSet<String> verbs = out.computeIfAbsent(key(group.asText(), resource.asText()),
                                k -> new TreeSet<>());
                        rule.path("verbs").forEach(v -> verbs.add(v.asText()));
                    }
                }
            }
        }
        return out;
    }

    private static Map<String, TreeSet<String>> byResource(List<Grant> grants) {
        Map<String, TreeSet<String>> out = new TreeMap<>();
        for (Grant g : grants) {
            for (String resource : g.resources()) {
                out.computeIfAbsent(key(g.apiGroup(), resource), k -> new TreeSet<>()).addAll(g.verbs());
            }
        }
        return out;
    }

    private static String key(String group, String resource) {
        return (group == null || group.isEmpty() ? "core" : group) + "/" + resource;
    }
}
