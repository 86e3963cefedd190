package dev.ballot.e2e.kubelet;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

/** What every pod runner shares: where state lives, how images map to programs, the address pool. */
record KubeletContext(Path stateDir, String hostIp, ContainerLaunch.ImageMap images, LoopbackAddressPool addresses) {

  /** The directory that backs a PersistentVolumeClaim; it outlives pods, so data survives restarts. */
  Path claimDir(String namespace, String claim) {
    return stateDir.resolve("volumes").resolve(namespace).resolve(claim);
  }

  ContainerLaunch.Lookups lookups(KubernetesClient client) {
    return new ContainerLaunch.Lookups() {
      @Override
      public Map<String, String> configMap(String namespace, String name) {
        ConfigMap cm = client.configMaps().inNamespace(namespace).withName(name).get();
        return cm == null ? null : cm.getData();
      }

      @Override
      public Map<String, String> secret(String namespace, String name) {
        Secret s = client.secrets().inNamespace(namespace).withName(name).get();
        if (s == null || s.getData() == null) {
          return s == null ? null : Map.of();
        }
        Map<String, String> out = new HashMap<>();
        s.getData().forEach((k, v) -> out.put(k, new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8)));
        return out;
      }
    };
  }
}
