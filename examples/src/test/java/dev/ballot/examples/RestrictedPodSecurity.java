package dev.ballot.examples;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The checks of Kubernetes' "restricted" Pod Security Standard that a pod spec in our manifests can break. */
final class RestrictedPodSecurity {

  private static final Set<String> ALLOWED_VOLUMES = Set.of("configMap", "csi", "downwardAPI", "emptyDir", "ephemeral",
      "persistentVolumeClaim", "projected", "secret");

  private RestrictedPodSecurity() {}

  static List<String> violations(Map<String, Object> podSpec) {
    List<String> out = new ArrayList<>();
    for (String hostField : List.of("hostNetwork", "hostPID", "hostIPC")) {
      if (Boolean.TRUE.equals(podSpec.get(hostField))) {
        out.add(hostField + " must not be true");
      }
    }
    Object podRunAsNonRoot = RepoFiles.at(podSpec, "securityContext.runAsNonRoot");
    Object podSeccomp = RepoFiles.at(podSpec, "securityContext.seccompProfile.type");
    if (podSpec.get("volumes") != null) {
      for (Object v : RepoFiles.asList(podSpec.get("volumes"), "volumes")) {
        Map<String, Object> volume = RepoFiles.asMap(v, "volume");
        volume.keySet().stream().filter(k -> !k.equals("name") && !ALLOWED_VOLUMES.contains(k))
            .forEach(k -> out.add("volume " + volume.get("name") + " uses " + k));
      }
    }
    for (String list : List.of("initContainers", "containers")) {
      if (podSpec.get(list) == null) {
        continue;
      }
      for (Object c : RepoFiles.asList(podSpec.get(list), list)) {
        Map<String, Object> container = RepoFiles.asMap(c, "container");
        String name = list + "/" + container.get("name");
        Object sc = container.get("securityContext");
        Map<String, Object> ctx = sc == null ? Map.of() : RepoFiles.asMap(sc, "securityContext");
        if (!Boolean.FALSE.equals(ctx.get("allowPrivilegeEscalation"))) {
          out.add(name + ": allowPrivilegeEscalation must be false");
        }
        if (Boolean.TRUE.equals(ctx.get("privileged"))) {
          out.add(name + ": privileged");
        }
        Object runAsNonRoot = ctx.containsKey("runAsNonRoot") ? ctx.get("runAsNonRoot") : podRunAsNonRoot;
        if (!Boolean.TRUE.equals(runAsNonRoot)) {
          out.add(name + ": runAsNonRoot must be true (container or pod)");
        }
        Object seccomp = RepoFiles.at(ctx, "seccompProfile.type") != null ? RepoFiles.at(ctx, "seccompProfile.type") : podSeccomp;
        if (!"RuntimeDefault".equals(seccomp) && !"Localhost".equals(seccomp)) {
          out.add(name + ": seccompProfile.type must be RuntimeDefault or Localhost");
        }
        Object drop = RepoFiles.at(ctx, "capabilities.drop");
        if (drop == null || !RepoFiles.asList(drop, "drop").contains("ALL")) {
          out.add(name + ": capabilities.drop must contain ALL");
        }
        Object add = RepoFiles.at(ctx, "capabilities.add");
        if (add != null && RepoFiles.asList(add, "add").stream().anyMatch(a -> !"NET_BIND_SERVICE".equals(a))) {
          out.add(name + ": capabilities.add may only hold NET_BIND_SERVICE");
        }
      }
    }
    return out;
  }
}
