package dev.ballot.e2e.journey;

import java.util.List;

/** A scenario with a fixed name that makes sense only once the scenarios it needs have passed. */
abstract class ScenarioAfter implements Scenario {
  private final String scenario;
  private final List<String> needs;

  ScenarioAfter(String scenario, String... needs) {
    this.scenario = scenario;
    this.needs = List.of(needs);
  }

  @Override
  public final String name() {
    return scenario;
  }

  @Override
  public final List<String> needs() {
    return needs;
  }
}
