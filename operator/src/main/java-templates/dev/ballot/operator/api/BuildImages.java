package dev.ballot.operator.api;

/**
 * The container images this build produces (mvn -Pimage package, docs/image.md), filled in from the parent pom's
 * ballot.node.image and ballot.operator.image by the templating plugin: the operator's default node image is the
 * node image of its own version, without anyone editing a constant when the version changes.
 */
public final class BuildImages {
    /** The node image of this build, e.g. ballot.dev/ballot/node:0.1.0-SNAPSHOT; the CRD's default spec.image. */
    public static final String NODE = "${ballot.node.image}";
    /** The operator image of this build, the one deploy/ and the Helm chart run. */
    public static final String OPERATOR = "${ballot.operator.image}";

    private BuildImages() {}
}
