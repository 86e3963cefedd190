package dev.ballot.e2e.journey;

import java.util.List;

/** A scenario run on the cluster an earlier scenario created; it makes sense only if that one passed. */
abstract class OnCreatedCluster implements Scenario {
  private final String scenario;
  protected final CreateCluster created;

  OnCreatedCluster(String scenario, CreateCluster created) {
    this.scenario = scenario;
    this.created = created;
  }

  @Override
  public final String name() {
    return scenario;
  }

  @Override
  public final List<String> needs() {
    return List.of(created.name());
  }
}
