package dev.ballot.e2e.journey;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Invalid ElectionClusters are refused by the API server itself, from the CRD's schema and its CEL
 * rules, with the CRD's message; nothing is created.
 */
public final class RejectInvalid extends ScenarioAfter {
  /** An invalid spec, and what the refusal must say: a field path, or (null) one of the CRD's own CEL messages. */
  record Case(String label, String spec, String expected) {}

  static final List<Case> CASES = List.of(
      new Case("unknown-protocol", """
            protocol: Paxos
            replicas: 3
          """, "spec.protocol"),
      new Case("timeouts-inverted", """
            protocol: Raft
            replicas: 3
            raft:
              electionTimeoutMin: 300ms
              electionTimeoutMax: 150ms
              heartbeatInterval: 50ms
          """, null));

  public RejectInvalid() {
    super("reject-invalid", "install");
  }

  @Override
  public void run(JourneyContext ctx, ScenarioResult r) throws Exception {
    List<String> celMessages = celMessages(ctx);
    int refused = 0;
    for (Case c : CASES) {
      Path bad = Files.createTempFile("ballot-invalid-", ".yaml");
      try {
        String name = "invalid-" + c.label();
        Files.writeString(bad, """
            apiVersion: ballot.dev/v1alpha1
            kind: ElectionCluster
            metadata:
              name: %s
            spec:
            %s""".formatted(name, c.spec()));
        Kubectl.Result res = ctx.kubectl().run("apply", "-n", ctx.namespace(), "-f", bad.toString());
        boolean ok = r.check(!res.ok(), c.label() + ": the API server accepted it")
            & (c.expected() != null
                ? r.check(res.err().contains(c.expected()), c.label() + ": the refusal does not say '" + c.expected() + "': " + res.err().strip())
                : r.check(celMessages.stream().anyMatch(m -> res.err().contains(m)),
                    c.label() + ": the refusal carries none of the CRD's x-kubernetes-validations messages: " + res.err().strip()))
            & r.check(ctx.electionCluster(name).isEmpty(), c.label() + ": the ElectionCluster exists after the refusal");
        if (ok) {
          refused++;
        }
      } finally {
        Files.deleteIfExists(bad);
      }
    }
    r.put("refused", refused + "/" + CASES.size());
  }

  /** Every x-kubernetes-validations message of the installed CRD, read back from the API server. */
  static List<String> celMessages(JourneyContext ctx) {
    var crd = ctx.cluster().admin().apiextensions().v1().customResourceDefinitions().withName("electionclusters.ballot.dev").get();
    List<String> out = new java.util.ArrayList<>();
    if (crd != null) {
      collect(io.fabric8.kubernetes.client.utils.Serialization.jsonMapper().valueToTree(crd), out);
    }
    return out;
  }

  private static void collect(com.fasterxml.jackson.databind.JsonNode node, List<String> out) {
    if (node.isObject()) {
      node.fields().forEachRemaining(e -> {
        if (e.getKey().equals("x-kubernetes-validations") && e.getValue().isArray()) {
          e.getValue().forEach(rule -> {
            if (rule.hasNonNull("message")) {
              out.add(rule.get("message").asText());
            }
          });
        } else {
          collect(e.getValue(), out);
        }
      });
    } else if (node.isArray()) {
      node.forEach(n -> collect(n, out));
    }
  }
}
