package dev.ballot.examples;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The PromQL of every panel of a Grafana dashboard, with Grafana's variables replaced as Grafana would for "All"
 * ($namespace and $cluster match everything, $__rate_interval a minute). The e2e `prometheus` scenario does the
 * same against a live Prometheus.
 */
final class DashboardQueries {
  private DashboardQueries() {}

  @SuppressWarnings("unchecked")
  static List<String> expressions(Path dashboard) {
    List<String> out = new ArrayList<>();
    for (Object p : RepoFiles.asList(RepoFiles.single(dashboard).get("panels"), "panels")) {
      Object targets = ((Map<String, Object>) p).get("targets");
      if (targets != null) {
        for (Object t : RepoFiles.asList(targets, "targets")) {
          out.add(substitute((String) ((Map<String, Object>) t).get("expr")));
        }
      }
    }
    return out;
  }

  static String substitute(String expr) {
    return expr.replace("$__rate_interval", "1m").replace("$namespace", ".*").replace("$cluster", ".*");
  }
}
