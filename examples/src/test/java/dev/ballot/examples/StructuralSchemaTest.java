package dev.ballot.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The schema checker itself, on a small schema: each mistake an example can make is caught and named. */
class StructuralSchemaTest {

  private static final StructuralSchema SCHEMA = new StructuralSchema(RepoFiles.documents("""
      type: object
      properties:
        apiVersion: {type: string}
        kind: {type: string}
        metadata: {type: object}
        spec:
          type: object
          required: [protocol]
          properties:
            protocol: {type: string, enum: [Raft, Zab]}
            replicas: {type: integer, minimum: 1}
            size:
              anyOf: [{type: integer}, {type: string}]
              x-kubernetes-int-or-string: true
              pattern: '^[0-9]+(Mi|Gi)?$'
            labels: {type: object, additionalProperties: {type: string}}
            affinity: {type: object, x-kubernetes-preserve-unknown-fields: true}
            tolerations:
              type: array
              items: {type: object, properties: {key: {type: string}}}
      """).get(0));

  private static List<String> errors(String yaml) {
    return SCHEMA.validate(RepoFiles.documents(yaml).get(0));
  }

  @Test
  void aFittingObjectHasNoErrors() {
    assertThat(errors("""
        apiVersion: ballot.dev/v1alpha1
        kind: ElectionCluster
        metadata: {name: x, labels: {a: b}}
        spec: {protocol: Raft, replicas: 3, size: 1Gi, labels: {team: a}, affinity: {anything: [1]}, tolerations: [{key: k}]}
        """)).isEmpty();
  }

  @Test
  void unknownFieldsAreNamedWithTheirPath() {
    assertThat(errors("spec: {protocol: Raft, replicaz: 3, tolerations: [{key: k, efect: NoSchedule}]}"))
        .containsExactlyInAnyOrder("spec.replicaz: unknown field (known here: protocol, replicas, size, labels, affinity, tolerations)",
            "spec.tolerations[0].efect: unknown field (known here: key)");
  }

  @Test
  void typesEnumsBoundsRequiredAndPatternsAreChecked() {
    assertThat(errors("spec: {replicas: three, labels: {team: 1}}")).containsExactlyInAnyOrder(
        "spec.replicas: must be an integer, got string three",
        "spec.labels.team: must be a string, got integer 1",
        "spec.protocol: required");
    assertThat(errors("spec: {protocol: Paxos, replicas: 0, size: 1Ti}")).containsExactlyInAnyOrder(
        "spec.protocol: Paxos is not one of [Raft, Zab]",
        "spec.replicas: 0 is below the minimum 1",
        "spec.size: '1Ti' does not match ^[0-9]+(Mi|Gi)?$");
    assertThat(errors("spec: {protocol: Raft, size: [1]}")).containsExactly("spec.size: must be an integer or a string, got arraylist [1]");
  }

  @Test
  void metadataIsLeftToTheApiServer() {
    assertThat(errors("metadata: {name: x, whatever: {}}\nspec: {protocol: Zab}")).isEmpty();
  }
}
