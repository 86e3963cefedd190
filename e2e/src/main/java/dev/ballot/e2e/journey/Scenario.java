package dev.ballot.e2e.journey;

/** One step of the journey. Later scenarios (rolling update, scaling) implement this and join the list. */
public interface Scenario {
  String name();

  /** Runs the scenario; failures are recorded on the result, not thrown. */
  void run(JourneyContext ctx, ScenarioResult result) throws Exception;

  /** Scenarios that must have passed for this one to make sense. */
  default java.util.List<String> needs() {
    return java.util.List.of();
  }
}
