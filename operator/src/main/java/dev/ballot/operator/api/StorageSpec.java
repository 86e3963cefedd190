package dev.ballot.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** Per-member persistent storage. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "!has(oldSelf.size) || !has(self.size)"
        + " || quantity(self.size).compareTo(quantity(oldSelf.size)) >= 0",
        message = "spec.storage.size can never shrink: keep it at least at its old value")
public class StorageSpec {
    @Default("1Gi")
    @Size(max = 32)
    @Pattern("^[0-9]+(\\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$")
    @JsonPropertyDescription("Size of each member's volume, a quantity such as 1Gi. It can grow (the operator grows"
            + " every member's claim; the StorageClass must allow volume expansion), never shrink.")
    public String size;

    @Size(max = 253)
    @JsonPropertyDescription("StorageClass of the volumes; the cluster default when empty. Immutable: volumes keep their class.")
    public String storageClassName;

    public StorageSpec() {
    }

    public StorageSpec(String size, String storageClassName) {
        this.size = size;
        this.storageClassName = storageClassName;
    }
}
