package dev.ballot.e2e.journey;

import io.fabric8.kubernetes.api.model.Pod;
import java.util.Optional;

/** The member the ElectionCluster's status names as leader, and its pod: what a fault on the leader starts from. */
record LeaderPod(JourneyContext.LeaderView view, Pod pod) {
  /**
   * The leader of {@code ec} now; empty, with the failed check on {@code r}, when status names none or it is not a
   * pod of the cluster. {@code when} says for what ("before the fault").
   */
  static Optional<LeaderPod> find(JourneyContext ctx, ScenarioResult r, String ec, String when) {
    Optional<JourneyContext.LeaderView> view = ctx.leader(ec);
    if (!r.check(view.isPresent(), "status names no leader " + when)) {
      return Optional.empty();
    }
    String name = view.get().leader();
    Pod pod = ctx.cluster().admin().pods().inNamespace(ctx.namespace()).withName(name).get();
    if (!r.check(pod != null, "the leader " + name + " is not a pod of the cluster")) {
      return Optional.empty();
    }
    return Optional.of(new LeaderPod(view.get(), pod));
  }

  String name() {
    return view.leader();
  }

  long term() {
    return view.term();
  }
}
