package dev.ballot.operator.reconciler;

import dev.ballot.operator.api.ElectionCluster;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

class RequestAnnotationsTest {

    static Stream<Arguments> cases() {
        Map<String, String> none = Map.of();
        return Stream.of(
                Arguments.of("a request appears", none, Map.of("ballot.dev/transfer-leadership", "raft-3-1"), true),
                Arguments.of("a request is taken away", Map.of("ballot.dev/backup-now", "1"), none, true),
                Arguments.of("a request is asked again with another id",
                        Map.of("ballot.dev/restart-member", "raft-3-0;id=a"),
                        Map.of("ballot.dev/restart-member", "raft-3-0;id=b"), true),
                Arguments.of("nothing changed", Map.of("ballot.dev/rotate-certificates", "x"),
                        Map.of("ballot.dev/rotate-certificates", "x"), false),
                Arguments.of("someone else's annotation (Argo CD, kubectl)", none,
                        Map.of("kubectl.kubernetes.io/last-applied-configuration", "{}"), false),
                Arguments.of("no annotations at all, then an empty map", null, none, false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void reconcilesOnlyWhenOurAnnotationsChange(String what, Map<String, String> before, Map<String, String> after,
                                                boolean reconcile) {
        assertThat(RequestAnnotations.changed(cluster(after), cluster(before))).isEqualTo(reconcile);
        assertThat(RequestAnnotations.changed(cluster(before), cluster(after))).isEqualTo(reconcile);
    }

    static Stream<Arguments> updates() {
        Map<String, String> none = Map.of();
        Map<String, String> transfer = Map.of("ballot.dev/transfer-leadership", "raft-3-1");
        return Stream.of(
                Arguments.of("the spec changed (a new generation)", 4L, none, 5L, none, true),
                Arguments.of("a request appeared in the same generation", 4L, none, 4L, transfer, true),
                Arguments.of("the operator's own status write (same generation, same annotations)", 4L, transfer, 4L,
                        transfer, false),
                Arguments.of("someone else's annotation only", 4L, none, 4L,
                        Map.of("argocd.argoproj.io/tracking-id", "x"), false),
                Arguments.of("a resource without a generation yet, then with one", null, none, 1L, none, true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("updates")
    void theControllerWakesOnANewGenerationOrARequestOnly(String what, Long generationBefore,
                                                          Map<String, String> before, Long generationAfter,
                                                          Map<String, String> after, boolean wakes) {
        assertThat(new RequestAnnotations.UpdateFilter().accept(cluster(generationAfter, after),
                cluster(generationBefore, before))).isEqualTo(wakes);
    }

    private static ElectionCluster cluster(Map<String, String> annotations) {
        return cluster(4L, annotations);
    }

    private static ElectionCluster cluster(Long generation, Map<String, String> annotations) {
        ElectionCluster cluster = new ElectionCluster();
        cluster.setMetadata(new ObjectMetaBuilder().withName("raft-3").withNamespace("ns").withGeneration(generation)
                .withAnnotations(annotations == null ? null : new HashMap<>(annotations)).build());
        return cluster;
    }
}
