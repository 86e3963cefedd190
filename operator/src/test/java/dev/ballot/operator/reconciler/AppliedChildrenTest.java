package dev.ballot.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ballot.operator.api.ConsensusProtocol;
import dev.ballot.operator.api.ElectionClusterSpec;
import dev.ballot.operator.desired.DesiredChildren;
import dev.ballot.operator.desired.EffectiveSpec;
import dev.ballot.operator.desired.MemberLayout;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import org.junit.jupiter.api.Test;

class AppliedChildrenTest {
    private static final long T0 = 1_000_000_000L;

    @Test
    void anApplyIsSkippedOnlyWhileNeitherTheDesiredNorTheStoredChildrenChanged() {
        AppliedChildren applied = new AppliedChildren();
        assertThat(applied.unchanged("uid-1", "d1", "sts@5", T0)).as("never applied").isFalse();
        applied.remember("uid-1", "d1", "sts@5", T0);
        assertThat(applied.unchanged("uid-1", "d1", "sts@5", T0 + 1)).as("a member event, nothing else").isTrue();
        assertThat(applied.unchanged("uid-1", "d2", "sts@5", T0 + 1)).as("the spec or layout changed").isFalse();
        assertThat(applied.unchanged("uid-1", "d1", "sts@6", T0 + 1)).as("someone edited a child").isFalse();
        assertThat(applied.unchanged("uid-1", "d1", "", T0 + 1)).as("the children were deleted").isFalse();
        assertThat(applied.unchanged("uid-2", "d1", "sts@5", T0 + 1)).as("another cluster (or a re-created one)")
                .isFalse();
        assertThat(applied.unchanged("uid-1", "d1", "sts@5", T0 + AppliedChildren.MAX_AGE.toNanos()))
                .as("applied again at least every %s", AppliedChildren.MAX_AGE).isFalse();
        applied.forget("uid-1");
        assertThat(applied.unchanged("uid-1", "d1", "sts@5", T0 + 1)).as("a deleted cluster").isFalse();
    }

    @Test
    void aChildsVersionMovesWithItsSpecAndMetadataButNotItsStatus() {
        StatefulSet sts = new StatefulSetBuilder().withNewMetadata().withName("raft-3").withGeneration(4L)
                .withResourceVersion("100").addToLabels("app", "ballot").endMetadata()
                .withNewStatus().withReadyReplicas(3).endStatus().build();
        String before = AppliedChildren.version(sts);
        StatefulSet podKilled = new StatefulSetBuilder(sts).editMetadata().withResourceVersion("101").endMetadata()
                .editStatus().withReadyReplicas(2).endStatus().build();
        assertThat(AppliedChildren.version(podKilled)).as("a member's pod died: only the status moved")
                .isEqualTo(before);
        StatefulSet specEdited = new StatefulSetBuilder(sts).editMetadata().withGeneration(5L).withResourceVersion("102")
                .endMetadata().build();
        assertThat(AppliedChildren.version(specEdited)).as("someone edited the spec").isNotEqualTo(before);
        StatefulSet relabelled = new StatefulSetBuilder(sts).editMetadata().addToLabels("app", "other")
                .withResourceVersion("103").endMetadata().build();
        assertThat(AppliedChildren.version(relabelled)).as("someone changed a label").isNotEqualTo(before);
        StatefulSet annotated = new StatefulSetBuilder(sts).editMetadata().addToAnnotations("note", "x")
                .withResourceVersion("104").endMetadata().build();
        assertThat(AppliedChildren.version(annotated)).as("someone added an annotation").isNotEqualTo(before);

        ConfigMap config = new ConfigMapBuilder().withNewMetadata().withName("raft-3-config").withResourceVersion("7")
                .endMetadata().build();
        ConfigMap configEdited = new ConfigMapBuilder(config).editMetadata().withResourceVersion("8").endMetadata()
                .addToData("zoo.cfg", "edited").build();
        assertThat(AppliedChildren.version(configEdited)).as("a kind without a generation: every write counts")
                .isNotEqualTo(AppliedChildren.version(config));
    }

    @Test
    void theDigestFollowsWhatTheDependentsApply() {
        String three = AppliedChildren.desiredDigest(children(3, new MemberLayout(3, 3)), "ballot-system");
        assertThat(AppliedChildren.desiredDigest(children(3, new MemberLayout(3, 3)), "ballot-system"))
                .as("the same spec built again").isEqualTo(three);
        assertThat(AppliedChildren.desiredDigest(children(3, new MemberLayout(4, 3)), "ballot-system"))
                .as("a scaling step's layout").isNotEqualTo(three);
        assertThat(AppliedChildren.desiredDigest(children(5, new MemberLayout(5, 5)), "ballot-system"))
                .as("more replicas").isNotEqualTo(three);
        assertThat(AppliedChildren.desiredDigest(children(3, new MemberLayout(3, 3)), "ops"))
                .as("the operator's namespace (in the NetworkPolicy)").isNotEqualTo(three);
    }

    private static DesiredChildren children(int replicas, MemberLayout layout) {
        ElectionClusterSpec spec = new ElectionClusterSpec();
        spec.protocol = ConsensusProtocol.Raft;
        spec.replicas = replicas;
        spec.image = "ballot/node:test";
        return new DesiredChildren("ec", "ns", EffectiveSpec.of(spec, false), layout);
    }
}
