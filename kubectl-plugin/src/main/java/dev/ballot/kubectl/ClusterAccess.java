package dev.ballot.kubectl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;

/** The plugin's only calls to the API server: read an ElectionCluster, merge-patch its annotations. */
final class ClusterAccess implements AutoCloseable {
    static final String API_VERSION = "ballot.dev/v1alpha1";
    static final String KIND = "ElectionCluster";
    static final ObjectMapper JSON = new ObjectMapper();

    private final KubernetesClient client;
    private final String namespace;

    /** The kubeconfig as kubectl reads it ($KUBECONFIG, ~/.kube/config), its current or the given context. */
    ClusterAccess(String context, String namespace) {
        Config config = context == null ? Config.autoConfigure(null) : Config.autoConfigure(context);
        this.client = new KubernetesClientBuilder().withConfig(config).build();
        this.namespace = namespace != null ? namespace
                : config.getNamespace() != null ? config.getNamespace() : "default";
    }

    String namespace() {
        return namespace;
    }

    /** The cluster as JSON, or null when it does not exist. */
    JsonNode get(String name) {
        GenericKubernetesResource r = resource(name).get();
        return r == null ? null : JSON.valueToTree(r);
    }

    /** Sets the annotations that ask for an action (a JSON merge patch of metadata only). */
    void request(String name, java.util.Map<String, String> wanted) {
        ObjectNode patch = JSON.createObjectNode();
        ObjectNode annotations = patch.putObject("metadata").putObject("annotations");
        wanted.forEach(annotations::put);
        resource(name).patch(PatchContext.of(PatchType.JSON_MERGE), patch.toString());
    }

    private Resource<GenericKubernetesResource> resource(String name) {
        return client.genericKubernetesResources(API_VERSION, KIND).inNamespace(namespace).withName(name);
    }

    @Override
    public void close() {
        client.close();
    }
}
