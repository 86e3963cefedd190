package dev.ballot.operator.decide;

import dev.ballot.operator.desired.EffectiveSpec;
import dev.ballot.operator.desired.NodeConfigFile;
import dev.ballot.operator.desired.SpecValidator;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The checks the CRD's CEL transition rules make (spec.protocol and spec.storage.storageClassName never change,
 * spec.storage.size never shrinks), made again against the running StatefulSet, for API servers or CRDs without
 * them. Pure.
 */
final class ImmutableFields {
    private ImmutableFields() {
    }

    static List<String> problems(EffectiveSpec spec, StatefulSetView sts) {
        List<String> problems = new ArrayList<>();
        if (sts == null) {
            return problems;
        }
        if (sts.nodeArgs() != null && !sts.nodeArgs().contains(NodeConfigFile.pathFor(spec.protocol()))) {
            problems.add("spec.protocol is immutable (the members run " + sts.nodeArgs()
                    + "): restore the old protocol, or create a new ElectionCluster");
        }
        StatefulSetView.ClaimTemplate claim = sts.claimTemplate();
        if (claim != null && claim.hasSpec()) {
            if (claim.size() != null && SpecValidator.shrinks(claim.size().toString(), spec.storageSize())) {
                problems.add("spec.storage.size " + spec.storageSize() + " is smaller than the volumes' "
                        + claim.size() + ": volumes never shrink; set it back to at least " + claim.size());
            }
            if (!Objects.equals(claim.storageClass(), spec.storageClassName())) {
                problems.add("spec.storage.storageClassName is immutable (the volumes use "
                        + (claim.storageClass() == null ? "the cluster's default class" : claim.storageClass())
                        + "): restore " + (claim.storageClass() == null ? "it to unset" : "it"));
            }
        }
        return problems;
    }
}
