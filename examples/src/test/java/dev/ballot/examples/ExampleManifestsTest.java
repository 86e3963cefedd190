package dev.ballot.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** The example ElectionClusters parse, use only the agreed API shape, fit the CRD and make sense. */
class ExampleManifestsTest {

  private static final Path EXAMPLES = RepoFiles.ROOT.resolve("examples");
  private static final Path FIXTURES = EXAMPLES.resolve("argocd/ballot.dev/ElectionCluster/testdata");
  private static final Pattern DNS_LABEL = Pattern.compile("[a-z]([-a-z0-9]*[a-z0-9])?");
  /** StatefulSet pods carry controller-revision-hash=<name>-<10 chars>, a label value of at most 63. */
  private static final int MAX_NAME = 52;

  /** The agreed shape (helpers/crd-shape.md): field names allowed at each level of spec. */
  private static final Map<String, Set<String>> SHAPE = Map.of(
      "spec", Set.of("protocol", "replicas", "learners", "observers", "image", "version", "raft", "zab", "storage",
          "resources", "podTemplate", "updateStrategy", "paused"),
      "spec.raft", Set.of("electionTimeoutMin", "electionTimeoutMax", "heartbeatInterval"),
      "spec.zab", Set.of("tickTime", "initLimit", "syncLimit"),
      "spec.storage", Set.of("size", "storageClassName"),
      "spec.podTemplate", Set.of("labels", "annotations", "affinity", "tolerations", "topologySpreadConstraints",
          "priorityClassName", "nodeSelector", "securityContext"),
      "spec.updateStrategy", Set.of("type", "transferLeadership"));

  private static List<Path> examples() throws IOException {
    try (Stream<Path> files = Files.list(EXAMPLES)) {
      return files.filter(p -> p.toString().endsWith(".yaml")).sorted().collect(Collectors.toList());
    }
  }

  private static List<Path> fixtures() throws IOException {
    try (Stream<Path> files = Files.list(FIXTURES)) {
      return files.filter(p -> p.toString().endsWith(".yaml")).sorted().collect(Collectors.toList());
    }
  }

  @Test
  void theExamplesAreTheOnesWeDocument() throws IOException {
    assertThat(examples()).extracting(p -> p.getFileName().toString())
        .containsExactly("minimal.yaml", "raft-3.yaml", "zab-5-observer.yaml");
  }

  @TestFactory
  Stream<DynamicTest> everyExampleUsesTheAgreedShapeAndSaneValues() throws IOException {
    return examples().stream().map(path -> DynamicTest.dynamicTest(path.getFileName().toString(), () -> {
      Map<String, Object> ec = RepoFiles.single(path);
      assertThat(ec.get("apiVersion")).isEqualTo("ballot.dev/v1alpha1");
      assertThat(ec.get("kind")).isEqualTo("ElectionCluster");
      String name = (String) RepoFiles.at(ec, "metadata.name");
      assertThat(name).matches(DNS_LABEL).hasSizeLessThanOrEqualTo(MAX_NAME);
      assertThat(RepoFiles.at(ec, "metadata.namespace")).as("examples leave the namespace to kubectl -n / Argo CD").isNull();
      for (Map.Entry<String, Set<String>> level : SHAPE.entrySet()) {
        Object section = RepoFiles.at(ec, level.getKey());
        if (section != null) {
          assertThat(RepoFiles.asMap(section, level.getKey()).keySet()).as("fields of %s", level.getKey())
              .isSubsetOf(level.getValue());
        }
      }
      assertSane(ec);
    }));
  }

  /** What the CRD's CEL rules enforce, checked here so an example never teaches a spec the API server refuses. */
  private static void assertSane(Map<String, Object> ec) {
    String protocol = (String) RepoFiles.at(ec, "spec.protocol");
    assertThat(protocol).isIn("Raft", "Zab");
    int replicas = (Integer) RepoFiles.at(ec, "spec.replicas");
    assertThat(replicas).as("voters").isPositive().isOdd();
    if (protocol.equals("Raft")) {
      assertThat(RepoFiles.at(ec, "spec.zab")).as("zab timing on a Raft cluster").isNull();
      assertThat(RepoFiles.at(ec, "spec.observers")).as("observers are ZAB's").isNull();
      Object raft = RepoFiles.at(ec, "spec.raft");
      if (raft != null) {
        long min = millis((String) RepoFiles.at(ec, "spec.raft.electionTimeoutMin"));
        long max = millis((String) RepoFiles.at(ec, "spec.raft.electionTimeoutMax"));
        long heartbeat = millis((String) RepoFiles.at(ec, "spec.raft.heartbeatInterval"));
        assertThat(min + 10).as("electionTimeoutMin at least one 10ms tick below electionTimeoutMax").isLessThanOrEqualTo(max);
        assertThat(heartbeat * 3).as("heartbeatInterval <= electionTimeoutMin / 3").isLessThanOrEqualTo(min);
        assertThat(heartbeat).as("heartbeatInterval at least one 10ms tick").isGreaterThanOrEqualTo(10);
      }
    } else {
      assertThat(RepoFiles.at(ec, "spec.raft")).as("raft timing on a ZAB cluster").isNull();
      assertThat(RepoFiles.at(ec, "spec.learners")).as("learners are Raft's").isNull();
      if (RepoFiles.at(ec, "spec.zab") != null) {
        int initLimit = (Integer) RepoFiles.at(ec, "spec.zab.initLimit");
        int syncLimit = (Integer) RepoFiles.at(ec, "spec.zab.syncLimit");
        assertThat((Integer) RepoFiles.at(ec, "spec.zab.tickTime")).isPositive();
        assertThat(syncLimit).isPositive().isLessThanOrEqualTo(initLimit);
      }
    }
  }

  @Test
  void raft3IsTheSeedsCluster() {
    Map<String, Object> ec = RepoFiles.single(EXAMPLES.resolve("raft-3.yaml"));
    assertThat(RepoFiles.at(ec, "spec.protocol")).isEqualTo("Raft");
    assertThat(RepoFiles.at(ec, "spec.replicas")).isEqualTo(3);
    assertThat(RepoFiles.at(ec, "spec.raft")).isEqualTo(Map.of(
        "electionTimeoutMin", "150ms", "electionTimeoutMax", "300ms", "heartbeatInterval", "50ms"));
  }

  @Test
  void zab5HasFiveVotersAndAnObserverWithZooKeepersTiming() {
    Map<String, Object> ec = RepoFiles.single(EXAMPLES.resolve("zab-5-observer.yaml"));
    assertThat(RepoFiles.at(ec, "spec.protocol")).isEqualTo("Zab");
    assertThat(RepoFiles.at(ec, "spec.replicas")).isEqualTo(5);
    assertThat(RepoFiles.at(ec, "spec.observers")).isEqualTo(1);
    assertThat(RepoFiles.at(ec, "spec.zab")).isEqualTo(Map.of("tickTime", 2000, "initLimit", 10, "syncLimit", 5));
  }

  @Test
  void minimalIsMinimal() {
    Map<String, Object> ec = RepoFiles.single(EXAMPLES.resolve("minimal.yaml"));
    assertThat(RepoFiles.asMap(ec.get("spec"), "spec").keySet()).containsExactlyInAnyOrder("protocol", "replicas");
  }

  @TestFactory
  Stream<DynamicTest> examplesAndHealthFixturesFitTheGeneratedCrd() throws IOException {
    assumeTrue(Files.isRegularFile(RepoFiles.CRD),
        "crds/electionclusters.ballot.dev-v1.yml is not on this branch yet (the operator generates it): merge main");
    StructuralSchema schema = StructuralSchema.fromCrd(RepoFiles.single(RepoFiles.CRD), "v1alpha1");
    return Stream.concat(examples().stream(), fixtures().stream()).map(path -> DynamicTest.dynamicTest(
        RepoFiles.ROOT.relativize(path).toString(),
        () -> assertThat(schema.validate(RepoFiles.single(path))).as("%s against the CRD", path).isEmpty()));
  }

  @Test
  void aTypoInAnExampleIsCaughtByTheCrdCheck() {
    assumeTrue(Files.isRegularFile(RepoFiles.CRD), "crds/ is not on this branch yet");
    StructuralSchema schema = StructuralSchema.fromCrd(RepoFiles.single(RepoFiles.CRD), "v1alpha1");
    Map<String, Object> ec = RepoFiles.single(EXAMPLES.resolve("raft-3.yaml"));
    RepoFiles.asMap(ec.get("spec"), "spec").put("replicaz", 3);
    RepoFiles.asMap(RepoFiles.at(ec, "spec.raft"), "raft").put("heartbeatInterval", 50);
    assertThat(schema.validate(ec)).anySatisfy(e -> assertThat(e).startsWith("spec.replicaz: unknown field"))
        .anySatisfy(e -> assertThat(e).startsWith("spec.raft.heartbeatInterval: must be a string"));
  }

  private static final Pattern DURATION_PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ns|us|µs|ms|s|m|h)");

  /** A Go-style duration ("150ms", "1m30s") in milliseconds, as CEL's duration() reads it. */
  static long millis(String duration) {
    assertThat(duration).as("Go duration").matches("(\\d+(\\.\\d+)?(ns|us|µs|ms|s|m|h))+");
    Matcher m = DURATION_PART.matcher(duration);
    double total = 0;
    while (m.find()) {
      double v = Double.parseDouble(m.group(1));
      total += switch (m.group(2)) {
        case "ns" -> v / 1_000_000;
        case "us", "µs" -> v / 1_000;
        case "ms" -> v;
        case "s" -> v * 1_000;
        case "m" -> v * 60_000;
        default -> v * 3_600_000;
      };
    }
    return Math.round(total);
  }

  @Test
  void durationsReadLikeGo() {
    assertThat(millis("150ms")).isEqualTo(150);
    assertThat(millis("1m30s")).isEqualTo(90_000);
    assertThat(millis("1.5s")).isEqualTo(1_500);
  }
}
