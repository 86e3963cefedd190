package dev.ballot.e2e.kubelet;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarSource;
import io.fabric8.kubernetes.api.model.Pod;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns a pod's container into a local command line and environment: downward API fields and
 * {@code $(VAR)} expansion as the kubelet does them, the node image mapped to
 * {@code java -jar ballot-node.jar}, and container paths under a volume mount rewritten to the local
 * directory that backs the volume.
 */
public final class ContainerLaunch {
  /** Lookups the launch needs from the API (ConfigMap and Secret keys); null when absent. */
  public interface Lookups {
    Map<String, String> configMap(String namespace, String name);

    Map<String, String> secret(String namespace, String name);
  }

  /** How images map to local programs. */
  public record ImageMap(Pattern nodeImage, Path nodeJar, String javaBin, List<String> jvmOptions) {}

  public record Launch(List<String> command, Map<String, String> env) {}

  private static final Pattern FIELD_LABEL = Pattern.compile("metadata\\.(labels|annotations)\\['(.+)'\\]");

  private ContainerLaunch() {}

  public static Launch of(Pod pod, Container container, String podIp, String hostIp,
                          Map<String, Path> mounts, ImageMap images, Lookups lookups) {
    Map<String, String> env = new LinkedHashMap<>();
    String ns = pod.getMetadata().getNamespace();
    if (container.getEnvFrom() != null) {
      for (EnvFromSource from : container.getEnvFrom()) {
        Map<String, String> data = null;
        if (from.getConfigMapRef() != null) {
          data = lookups.configMap(ns, from.getConfigMapRef().getName());
        } else if (from.getSecretRef() != null) {
          data = lookups.secret(ns, from.getSecretRef().getName());
        }
        String prefix = from.getPrefix() == null ? "" : from.getPrefix();
        if (data != null) {
          data.forEach((k, v) -> env.put(prefix + k, v));
        }
      }
    }
    if (container.getEnv() != null) {
      for (EnvVar var : container.getEnv()) {
        String value = var.getValueFrom() != null
            ? valueFrom(pod, var, podIp, hostIp, lookups)
            : EnvExpander.expand(var.getValue() == null ? "" : var.getValue(), env);
        env.put(var.getName(), value);
      }
    }
    env.replaceAll((k, v) -> rewritePaths(v, mounts));

    List<String> command = new ArrayList<>();
    List<String> cmd = expandAll(container.getCommand(), env);
    List<String> args = expandAll(container.getArgs(), env);
    boolean nodeImage = images.nodeImage().matcher(container.getImage() == null ? "" : container.getImage()).matches();
    if (cmd.isEmpty() && nodeImage) {
      command.add(images.javaBin());
      command.addAll(images.jvmOptions());
      command.add("-jar");
      command.add(images.nodeJar().toString());
    } else if (!cmd.isEmpty() && cmd.get(0).equals("java")) {
      command.add(images.javaBin());
      command.addAll(images.jvmOptions());
      cmd.subList(1, cmd.size()).forEach(c -> command.add(rewritePaths(c, mounts)));
    } else if (!cmd.isEmpty()) {
      cmd.forEach(c -> command.add(rewritePaths(c, mounts)));
    } else {
      throw new IllegalArgumentException("container '" + container.getName() + "' of pod "
          + ns + "/" + pod.getMetadata().getName() + " has image '" + container.getImage()
          + "' that the process kubelet cannot map to a local program and no command; use the node image ("
          + images.nodeImage().pattern() + ") or a 'java ...' command");
    }
    args.forEach(a -> command.add(rewritePaths(a, mounts)));
    return new Launch(command, env);
  }

  /**
   * Rewrites container paths under a mount to the local directory that backs it, in one pass (so a
   * rewritten path is never rewritten again by a shorter mount such as /tmp) and only at path
   * boundaries: a mount path starts a value or follows a separator, and ends at '/', a separator or the end.
   */
  public static String rewritePaths(String value, Map<String, Path> mounts) {
    if (value == null || mounts.isEmpty()) {
      return value;
    }
    Map<String, Path> byMount = new LinkedHashMap<>();
    mounts.entrySet().stream()
        .sorted(Comparator.comparingInt((Map.Entry<String, Path> e) -> e.getKey().length()).reversed())
        .forEach(e -> byMount.put(e.getKey().length() > 1 && e.getKey().endsWith("/")
            ? e.getKey().substring(0, e.getKey().length() - 1) : e.getKey(), e.getValue()));
    StringBuilder alternatives = new StringBuilder();
    for (String mount : byMount.keySet()) {
      alternatives.append(alternatives.length() == 0 ? "" : "|").append(Pattern.quote(mount));
    }
    Pattern p = Pattern.compile("(^|[=:,\\s\"'])(" + alternatives + ")(?=/|$|[:,\\s\"'])");
    return p.matcher(value).replaceAll(m -> Matcher.quoteReplacement(m.group(1) + byMount.get(m.group(2))));
  }

  private static List<String> expandAll(List<String> values, Map<String, String> env) {
    List<String> out = new ArrayList<>();
    if (values != null) {
      values.forEach(v -> out.add(EnvExpander.expand(v, env)));
    }
    return out;
  }

  private static String valueFrom(Pod pod, EnvVar var, String podIp, String hostIp, Lookups lookups) {
    EnvVarSource src = var.getValueFrom();
    String ns = pod.getMetadata().getNamespace();
    if (src.getFieldRef() != null) {
      String path = src.getFieldRef().getFieldPath();
      switch (path) {
        case "metadata.name": return pod.getMetadata().getName();
        case "metadata.namespace": return ns;
        case "metadata.uid": return pod.getMetadata().getUid();
        case "spec.nodeName": return pod.getSpec().getNodeName();
        case "spec.serviceAccountName": return pod.getSpec().getServiceAccountName();
        case "status.podIP":
        case "status.podIPs": return podIp;
        case "status.hostIP":
        case "status.hostIPs": return hostIp;
        default:
          Matcher m = FIELD_LABEL.matcher(path);
          if (m.matches()) {
            Map<String, String> map = m.group(1).equals("labels")
                ? pod.getMetadata().getLabels() : pod.getMetadata().getAnnotations();
            return map == null ? "" : map.getOrDefault(m.group(2), "");
          }
          throw new IllegalArgumentException("env " + var.getName() + ": fieldRef '" + path
              + "' is not supported by the process kubelet");
      }
    }
    if (src.getConfigMapKeyRef() != null) {
      Map<String, String> data = lookups.configMap(ns, src.getConfigMapKeyRef().getName());
      return data == null ? "" : data.getOrDefault(src.getConfigMapKeyRef().getKey(), "");
    }
    if (src.getSecretKeyRef() != null) {
      Map<String, String> data = lookups.secret(ns, src.getSecretKeyRef().getName());
      return data == null ? "" : data.getOrDefault(src.getSecretKeyRef().getKey(), "");
    }
    if (src.getResourceFieldRef() != null) {
      return "1"; // no cgroups here: a process has the whole machine
    }
    throw new IllegalArgumentException("env " + var.getName() + ": unsupported valueFrom");
  }
}
