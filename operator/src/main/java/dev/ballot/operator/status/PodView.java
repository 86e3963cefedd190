package dev.ballot.operator.status;

/**
 * What Kubernetes says about one member pod. {@code problem} is a container waiting reason that needs a human
 * (ErrImagePull, ImagePullBackOff, InvalidImageName, CreateContainerConfigError), or null.
 */
public record PodView(String name, String revision, boolean ready, boolean terminating, String problem) {
}
