package dev.ballot.e2e.provider;

import java.nio.file.Path;

/** Picks a provider by name: node (default), local, existing, k3s. */
public final class Providers {
  private Providers() {}

  public static ClusterProvider byName(String name, Path repo) {
    return switch (name) {
      case "node" -> new NodeProvider(repo);
      case "local" -> new LocalProvider(repo);
      case "existing" -> new ExistingProvider();
      case "k3s" -> new K3sProvider(repo);
      default -> throw new IllegalArgumentException("--provider " + name + ": unknown; use node, local, existing or k3s");
    };
  }
}
