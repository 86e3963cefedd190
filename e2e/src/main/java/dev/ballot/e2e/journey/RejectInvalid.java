package dev.ballot.e2e.journey;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** An invalid ElectionCluster is refused by the API server itself (the CRD's schema), with a message naming the field. */
public final class RejectInvalid implements Scenario {
  @Override
  public String name() {
    return "reject-invalid";
  }

  @Override
  public List<String> needs() {
    return List.of("install");
  }

  @Override
  public void run(JourneyContext ctx, ScenarioResult r) throws Exception {
    Path bad = Files.createTempFile("ballot-invalid-", ".yaml");
    try {
      Files.writeString(bad, """
          apiVersion: ballot.dev/v1alpha1
          kind: ElectionCluster
          metadata:
            name: invalid-e2e
          spec:
            protocol: Paxos
            replicas: 3
          """);
      Kubectl.Result res = ctx.kubectl().run("apply", "-n", ctx.namespace(), "-f", bad.toString());
      r.check(!res.ok(), "the API server accepted protocol Paxos");
      r.check(res.err().contains("spec.protocol"), "the refusal does not name spec.protocol: " + res.err().strip());
      r.put("message", res.err().strip().lines().reduce((a, b) -> b).orElse(""));
      boolean exists = ctx.electionCluster("invalid-e2e").isPresent();
      r.check(!exists, "the invalid ElectionCluster exists after the refusal");
    } finally {
      Files.deleteIfExists(bad);
    }
  }
}
