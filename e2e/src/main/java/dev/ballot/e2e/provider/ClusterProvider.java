package dev.ballot.e2e.provider;

import java.util.Optional;

/** A way to get a Kubernetes API to run the journey on: local control plane, an existing cluster, k3s. */
public interface ClusterProvider {
  String name();

  /** Empty when the provider can run here; otherwise why not, in words a user can act on. */
  Optional<String> unavailableReason();

  Cluster start() throws Exception;
}
