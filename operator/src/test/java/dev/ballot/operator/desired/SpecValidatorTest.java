package dev.ballot.operator.desired;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ballot.operator.api.ElectionClusterSpec;
import dev.ballot.operator.api.ConsensusProtocol;
import dev.ballot.operator.api.RaftTimingSpec;
import dev.ballot.operator.api.StorageSpec;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SpecValidatorTest {
    static Stream<Arguments> invalid() {
        return Stream.of(
                Arguments.of("no protocol", "raft-1", (Consumer<ElectionClusterSpec>) s -> s.protocol = null,
                        "spec.protocol is missing"),
                Arguments.of("zero replicas", "raft-1", (Consumer<ElectionClusterSpec>) s -> s.replicas = 0,
                        "spec.replicas must be at least 1"),
                Arguments.of("min >= max", "raft-1",
                        (Consumer<ElectionClusterSpec>) s -> s.raft = new RaftTimingSpec("300ms", "300ms", "50ms"),
                        "must be at least 10ms (one tick) below spec.raft.electionTimeoutMax"),
                Arguments.of("heartbeat too slow", "raft-1",
                        (Consumer<ElectionClusterSpec>) s -> s.raft = new RaftTimingSpec("150ms", "300ms", "60ms"),
                        "spec.raft.heartbeatInterval (60ms) must be at most a third"),
                Arguments.of("range under one tick", "raft-1",
                        (Consumer<ElectionClusterSpec>) s -> s.raft = new RaftTimingSpec("150ms", "155ms", "50ms"),
                        "at least 10ms (one tick) below"),
                Arguments.of("heartbeat under one tick", "raft-1",
                        (Consumer<ElectionClusterSpec>) s -> s.raft = new RaftTimingSpec("150ms", "300ms", "5ms"),
                        "must be at least 10ms, the node's tick"),
                Arguments.of("timeout over a minute", "raft-1",
                        (Consumer<ElectionClusterSpec>) s -> s.raft = new RaftTimingSpec("150ms", "2m", "50ms"),
                        "must be at most 60s"),
                Arguments.of("tickTime out of range", "zab-1", (Consumer<ElectionClusterSpec>) s -> {
                    s.protocol = ConsensusProtocol.Zab;
                    s.zab = new dev.ballot.operator.api.ZabTimingSpec(5, 10, 5);
                }, "spec.zab.tickTime (5) must be 10-60000"),
                Arguments.of("bad duration", "raft-1",
                        (Consumer<ElectionClusterSpec>) s -> s.raft = new RaftTimingSpec("150", "300ms", "50ms"),
                        "spec.raft.electionTimeoutMin '150' is not a duration"),
                Arguments.of("learners with Zab", "zab-1", (Consumer<ElectionClusterSpec>) s -> {
                    s.protocol = ConsensusProtocol.Zab;
                    s.learners = 1;
                }, "spec.learners is for Raft only"),
                Arguments.of("observers with Raft", "raft-1", (Consumer<ElectionClusterSpec>) s -> s.observers = 1,
                        "spec.observers is for Zab only"),
                Arguments.of("bad size", "raft-1",
                        (Consumer<ElectionClusterSpec>) s -> s.storage = new StorageSpec("lots", null),
                        "spec.storage.size 'lots' is not a quantity"),
                Arguments.of("memory limit too small to start", "raft-1", (Consumer<ElectionClusterSpec>) s ->
                        s.resources = new io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder()
                                .addToLimits("memory", new io.fabric8.kubernetes.api.model.Quantity("40Mi")).build(),
                        "spec.resources.limits.memory (40Mi) is below 64Mi"),
                Arguments.of("memory limit not a quantity", "raft-1", (Consumer<ElectionClusterSpec>) s ->
                        s.resources = new io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder()
                                .addToLimits("memory", new io.fabric8.kubernetes.api.model.Quantity("lots")).build(),
                        "spec.resources.limits.memory 'lots' is not a quantity"),
                Arguments.of("name too long", "a".repeat(53), (Consumer<ElectionClusterSpec>) s -> { },
                        "metadata.name must be at most 52 characters"),
                Arguments.of("name not DNS-1035", "1raft", (Consumer<ElectionClusterSpec>) s -> { },
                        "metadata.name must be a DNS-1035 label"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalid")
    void namesTheFieldAndTheFix(String label, String name, Consumer<ElectionClusterSpec> edit, String expected) {
        ElectionClusterSpec spec = valid();
        edit.accept(spec);
        List<String> problems = problems(name, spec);
        assertThat(problems).anySatisfy(p -> assertThat(p).contains(expected));
    }

    @Test
    void acceptsTheDefaultsAndTheSeedTiming() {
        assertThat(problems("raft-1", valid())).isEmpty();
        ElectionClusterSpec seed = valid();
        seed.raft = new RaftTimingSpec("150ms", "300ms", "50ms");
        assertThat(problems("raft-1", seed)).isEmpty();
        ElectionClusterSpec zab = valid();
        zab.protocol = ConsensusProtocol.Zab;
        zab.observers = 1;
        assertThat(problems("zab-1", zab)).isEmpty();
        ElectionClusterSpec learners = valid();
        learners.learners = 2;
        assertThat(problems("raft-1", learners)).isEmpty();
        assertThat(problems("a".repeat(52), valid())).isEmpty();
    }

    @Test
    void aMemoryLimitThatStartsButCannotHoldALoadIsAWarningAndTheDefaultsAreFine() {
        ElectionClusterSpec small = valid();
        small.resources = new io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder()
                .addToLimits("memory", new io.fabric8.kubernetes.api.model.Quantity("96Mi")).build();
        assertThat(problems("raft-1", small)).isEmpty();
        assertThat(SpecValidator.warnings(EffectiveSpec.of(small)))
                .anySatisfy(w -> assertThat(w).contains("spec.resources.limits.memory (96Mi) is below 128Mi"));
        ElectionClusterSpec enough = valid();
        enough.resources = new io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder()
                .addToLimits("memory", new io.fabric8.kubernetes.api.model.Quantity("128Mi")).build();
        assertThat(problems("raft-1", enough)).isEmpty();
        assertThat(SpecValidator.warnings(EffectiveSpec.of(enough))).isEmpty();
        assertThat(SpecValidator.warnings(EffectiveSpec.of(valid()))).as("no resources: the measured defaults").isEmpty();
    }

    @Test
    void warnsAboutEvenVoterCountsOnly() {
        for (int replicas : new int[] {1, 3, 5}) {
            ElectionClusterSpec spec = valid();
            spec.replicas = replicas;
            assertThat(SpecValidator.warnings(EffectiveSpec.of(spec))).as("%d voters", replicas).isEmpty();
        }
        ElectionClusterSpec even = valid();
        even.replicas = 4;
        assertThat(SpecValidator.warnings(EffectiveSpec.of(even))).singleElement()
                .satisfies(w -> assertThat(w).contains("spec.replicas is even (4)").contains("such as 5"));
    }

    @Test
    void detectsShrinkingStorage() {
        assertThat(SpecValidator.shrinks("1Gi", "512Mi")).isTrue();
        assertThat(SpecValidator.shrinks("1Gi", "1024Mi")).isFalse();
        assertThat(SpecValidator.shrinks("1Gi", "2Gi")).isFalse();
    }

    @Test
    void keyspaceQuotaIsARaftSizeTheNodeAccepts() {
        ElectionClusterSpec ok = valid();
        ok.keyspaceQuota = new io.fabric8.kubernetes.api.model.Quantity("64Mi");
        assertThat(problems("raft-1", ok)).isEmpty();
        for (String bad : new String[] {"512", "3Gi", "lots"}) {
            ElectionClusterSpec spec = valid();
            spec.keyspaceQuota = new io.fabric8.kubernetes.api.model.Quantity(bad);
            assertThat(problems("raft-1", spec)).as(bad).singleElement()
                    .satisfies(p -> assertThat(p).startsWith("spec.keyspaceQuota '").contains("from 1Ki to 2047Mi"));
        }
        ElectionClusterSpec zab = valid();
        zab.protocol = ConsensusProtocol.Zab;
        zab.keyspaceQuota = new io.fabric8.kubernetes.api.model.Quantity("64Mi");
        assertThat(problems("zab-1", zab)).singleElement().satisfies(p -> assertThat(p).contains("Raft only"));
    }

    @Test
    void clientsMustBeDnsLabelsListedOnceWithTls() {
        ElectionClusterSpec spec = valid();
        spec.clients = List.of("orders", "Bad_Name", "orders");
        assertThat(problems("raft-1", spec)).anySatisfy(p -> assertThat(p).startsWith("spec.clients entry 'Bad_Name'"))
                .anySatisfy(p -> assertThat(p).contains("lists a name twice"));
        spec.clients = List.of("orders");
        assertThat(problems("raft-1", spec)).isEmpty();
        spec.tls = new dev.ballot.operator.api.TlsSpec(false, null);
        assertThat(problems("raft-1", spec)).singleElement().satisfies(p -> assertThat(p).contains("needs TLS"));
    }

    @Test
    void providedCertificatesTakeNoClients() {
        ElectionClusterSpec spec = valid();
        spec.tls = new dev.ballot.operator.api.TlsSpec(true, null);
        spec.tls.certificates = dev.ballot.operator.api.TlsSpec.Certificates.Provided;
        assertThat(problems("raft-1", spec)).isEmpty();
        spec.clients = List.of("orders");
        assertThat(problems("raft-1", spec)).singleElement().satisfies(p -> assertThat(p)
                .startsWith("spec.clients needs the operator's certificates").contains("remove spec.clients"));
    }

    private static ElectionClusterSpec valid() {
        ElectionClusterSpec spec = new ElectionClusterSpec();
        spec.protocol = ConsensusProtocol.Raft;
        spec.replicas = 3;
        return spec;
    }

    /** What the decision asks: the spec with its defaults built once by the caller (none without a spec). */
    private static List<String> problems(String name, ElectionClusterSpec spec) {
        return SpecValidator.problems(name, spec, spec == null ? null : EffectiveSpec.of(spec));
    }
}
