package dev.ballot.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;

/** How pods are replaced when their template changes. The StatefulSet itself always uses OnDelete. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class UpdateStrategy {
    /** Strategy type. */
    public enum Type {
        RollingUpdate,
        Manual
    }

    @Default("RollingUpdate")
    @JsonPropertyDescription("RollingUpdate: the operator replaces one member at a time, keeping quorum, leader last."
            + " Manual: the operator reports outdated members and a human deletes the pods.")
    public Type type;

    @Default("true")
    @JsonPropertyDescription("Move leadership off a member before it is restarted, so clients see no election.")
    public Boolean transferLeadership;
}
