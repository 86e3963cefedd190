package dev.ballot.e2e.journey;

/** One step of the journey. Later scenarios (rolling update, scaling) implement this and join the list. */
public interface Scenario {
  String name();

  /** Runs the scenario; failures are recorded on the result, not thrown. */
  void run(JourneyContext ctx, ScenarioResult result) throws Exception;

  /** Whether the scenario means anything on this cluster (it is left out of the run otherwise). */
  default boolean appliesTo(dev.ballot.e2e.provider.Cluster cluster) {
    return true;
  }

  /** Scenarios that must have passed for this one to make sense. */
  default java.util.List<String> needs() {
    return java.util.List.of();
  }
}
