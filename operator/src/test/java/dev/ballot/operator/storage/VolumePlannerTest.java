package dev.ballot.operator.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * Table of claim situations. A claim is written requested/capacity/class/flags ("-" for none) with flags among
 * b (bound), R (condition Resizing True), F (condition FileSystemResizePending True). Classes: "fast" allows
 * expansion, "fixed" does not, "gone" does not exist, "hidden" cannot be read.
 */
class VolumePlannerTest {
    private static final Map<String, Expansion> CLASSES = Map.of("fast", Expansion.ALLOWED,
            "fixed", Expansion.NOT_ALLOWED, "gone", Expansion.CLASS_MISSING, "hidden", Expansion.UNKNOWN);

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "equal: nothing                         | 1Gi | 1Gi/1Gi/fast/b       | NONE    | ",
        "equal by value, not by string          | 1Gi | 1024Mi/1024Mi/fast/b | NONE    | ",
        "bytes against Gi                       | 1Gi | 1073741824/1Gi/fast/b | NONE   | ",
        "larger than desired: never shrunk      | 1Gi | 2Gi/2Gi/fixed/b      | NONE    | ",
        "grows: patch                           | 2Gi | 1Gi/1Gi/fast/b       | PATCH   | grow data-ec-0 from 1Gi to 2Gi",
        "1.5Gi equals 1536Mi                    | 1536Mi | 1.5Gi/1.5Gi/fast/b | NONE  | ",
        "grows past Mi                          | 1025Mi | 1Gi/1Gi/fast/b     | PATCH   | to 1025Mi",
        "class unreadable: try, server decides  | 2Gi | 1Gi/1Gi/hidden/b     | PATCH   | ",
        "class forbids: blocked                 | 2Gi | 1Gi/1Gi/fixed/b      | BLOCKED | StorageClass fixed does not allow volume expansion: set allowVolumeExpansion: true on StorageClass fixed",
        "class gone: blocked                    | 2Gi | 1Gi/1Gi/gone/b       | BLOCKED | StorageClass gone does not exist",
        "no class: blocked                      | 2Gi | 1Gi/1Gi/-/b          | BLOCKED | has no StorageClass",
        "not bound yet: wait                    | 2Gi | 1Gi/-/fast/-         | WAIT    | is not bound yet",
        "requested, capacity behind: wait       | 2Gi | 2Gi/1Gi/fast/b       | WAIT    | requests 2Gi, capacity 1Gi so far",
        "provisioner resizing: wait             | 2Gi | 2Gi/1Gi/fast/bR      | WAIT    | being resized by its provisioner",
        "filesystem pending: wait               | 2Gi | 2Gi/2Gi/fast/bF      | WAIT    | waits for the kubelet to grow its filesystem",
        "done: capacity caught up               | 2Gi | 2Gi/2Gi/fast/b       | NONE    | ",
        "capacity above request: done           | 2Gi | 2Gi/3Gi/fast/b       | NONE    | ",
        "grown again while resizing: patch      | 3Gi | 2Gi/1Gi/fast/bR      | PATCH   | from 2Gi to 3Gi"})
    void decidesPerClaim(String label, String desired, String claim, ClaimStep.Kind kind, String message) {
        VolumeGrowth plan = VolumePlanner.plan(desired, new Quantity(desired), List.of(parse("data-ec-0", claim)),
                CLASSES::get);
        ClaimStep step = plan.claims().get(0);
        assertThat(step.kind()).as(label + ": " + step).isEqualTo(kind);
        if (message != null) {
            assertThat(step.message()).contains(message);
        }
        assertThat(plan.converged()).isEqualTo(kind == ClaimStep.Kind.NONE);
    }

    @ParameterizedTest(name = "template {0} for {1}: outdated {2}")
    @CsvSource({"1Gi, 2Gi, true", "2Gi, 2Gi, false", "2048Mi, 2Gi, false", "3Gi, 2Gi, false", ", 2Gi, false"})
    void theClaimTemplateIsOutdatedOnlyWhenSmaller(String template, String desired, boolean outdated) {
        VolumeGrowth plan = VolumePlanner.plan(desired, template == null ? null : new Quantity(template), List.of(),
                CLASSES::get);
        assertThat(plan.templateOutdated()).isEqualTo(outdated);
        assertThat(plan.converged()).isEqualTo(!outdated);
    }

    @Test
    void classesAreAskedOnlyForClaimsThatMustGrow() {
        List<String> asked = new ArrayList<>();
        VolumePlanner.plan("2Gi", new Quantity("2Gi"), List.of(parse("data-ec-0", "2Gi/2Gi/fast/b"),
                parse("data-ec-1", "2Gi/1Gi/fast/bR")), cls -> {
                    asked.add(cls);
                    return Expansion.ALLOWED;
                });
        assertThat(asked).isEmpty();
    }

    @Test
    void oneBlockedClaimBlocksThePlanAndTheSummaryNamesTheFieldAndTheFix() {
        VolumeGrowth plan = VolumePlanner.plan("2Gi", new Quantity("1Gi"), List.of(
                parse("data-ec-0", "1Gi/1Gi/fast/b"), parse("data-ec-1", "1Gi/1Gi/fixed/b")), CLASSES::get);
        assertThat(plan.of(ClaimStep.Kind.PATCH)).extracting(ClaimStep::claim).containsExactly("data-ec-0");
        assertThat(plan.blocked()).isTrue();
        assertThat(plan.summary()).isEqualTo("spec.storage.size 2Gi needs data-ec-1 to grow, but StorageClass fixed "
                + "does not allow volume expansion: set allowVolumeExpansion: true on StorageClass fixed if its "
                + "provisioner can expand volumes (the operator retries on its own); spec.storage.size cannot be "
                + "lowered again");
    }

    @Test
    void claimsBlockedForTheSameCauseShareOneSentence() {
        VolumeGrowth plan = VolumePlanner.plan("2Gi", null, List.of(parse("data-ec-0", "1Gi/1Gi/fixed/b"),
                parse("data-ec-1", "1Gi/1Gi/gone/b"), parse("data-ec-2", "1Gi/1Gi/fixed/b")), CLASSES::get);
        assertThat(plan.summary()).startsWith("spec.storage.size 2Gi needs data-ec-0, data-ec-2 to grow, but "
                + "StorageClass fixed does not allow").contains("; spec.storage.size 2Gi needs data-ec-1 to grow, "
                + "but StorageClass gone does not exist");
    }

    @Test
    void aRefusalByTheApiServerBlocksThatClaimOnly() {
        VolumeGrowth plan = VolumePlanner.plan("2Gi", new Quantity("2Gi"), List.of(
                parse("data-ec-0", "1Gi/1Gi/hidden/b"), parse("data-ec-1", "1Gi/1Gi/hidden/b")), CLASSES::get)
                .refuse("data-ec-1", "refused");
        assertThat(plan.claims()).extracting(ClaimStep::kind)
                .containsExactly(ClaimStep.Kind.PATCH, ClaimStep.Kind.BLOCKED);
        assertThat(plan.summary()).isEqualTo("spec.storage.size 2Gi needs data-ec-1 to grow, but refused");
    }

    @Test
    void aClaimIsReadFromTheApiObject() {
        PersistentVolumeClaim pvc = new PersistentVolumeClaimBuilder()
                .withNewMetadata().withName("data-ec-2").endMetadata()
                .withNewSpec().withStorageClassName("fast").withNewResources()
                .addToRequests("storage", new Quantity("2Gi")).endResources().endSpec()
                .withNewStatus().withPhase("Bound").addToCapacity("storage", new Quantity("1Gi"))
                .addNewCondition().withType("Resizing").withStatus("True").endCondition()
                .addNewCondition().withType("FileSystemResizePending").withStatus("False").endCondition()
                .endStatus().build();
        ClaimView view = ClaimView.of(pvc);
        assertThat(view).isEqualTo(new ClaimView("data-ec-2", new Quantity("2Gi"), new Quantity("1Gi"), "fast", true,
                Set.of("Resizing")));
        assertThat(ClaimView.of(new PersistentVolumeClaimBuilder().withNewMetadata().withName("x").endMetadata()
                .build())).isEqualTo(new ClaimView("x", null, null, null, false, Set.of()));
    }

    static ClaimView parse(String name, String spec) {
        String[] f = spec.split("/");
        Set<String> conditions = new HashSet<>();
        if (f[3].contains("R")) {
            conditions.add(ClaimView.RESIZING);
        }
        if (f[3].contains("F")) {
            conditions.add(ClaimView.FILE_SYSTEM_RESIZE_PENDING);
        }
        return new ClaimView(name, quantity(f[0]), quantity(f[1]), "-".equals(f[2]) ? null : f[2],
                f[3].contains("b"), conditions);
    }

    private static Quantity quantity(String s) {
        return "-".equals(s) ? null : new Quantity(s);
    }
}
