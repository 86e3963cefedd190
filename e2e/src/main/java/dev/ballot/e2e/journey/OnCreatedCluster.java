package dev.ballot.e2e.journey;

/** A scenario run on the cluster an earlier scenario created; it makes sense only if that one passed. */
abstract class OnCreatedCluster extends ScenarioAfter {
  protected final CreateCluster created;

  OnCreatedCluster(String scenario, CreateCluster created) {
    super(scenario, created.name());
    this.created = created;
  }
}
