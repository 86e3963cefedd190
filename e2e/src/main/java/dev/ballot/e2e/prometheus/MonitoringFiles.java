package dev.ballot.e2e.prometheus;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What deploy/monitoring ships, as the e2e checks it: the dashboard's panel queries, the alert rules and how the
 * PodMonitor scrapes members.
 */
public final class MonitoringFiles {
  public static final String DASHBOARD = "deploy/monitoring/ballot-dashboard.json";
  public static final String RULES = "deploy/monitoring/ballot-rules.yaml";
  public static final String POD_MONITOR = "deploy/monitoring/podmonitor-members.yaml";

  /** How the PodMonitor scrapes each member: the pod's container port of that name, the scheme and the path. */
  public record MemberEndpoint(String port, String scheme, String path) {}

  /** One dashboard panel: its title and its queries, Grafana's variables set to "All". */
  public record Panel(String title, List<String> queries) {}

  private MonitoringFiles() {}

  /** The PodMonitor's one endpoint (Prometheus' defaults where it states none: http, /metrics). */
  public static MemberEndpoint memberEndpoint(Path repo) throws IOException {
    JsonNode endpoints = new ObjectMapper(new YAMLFactory()).readTree(repo.resolve(POD_MONITOR).toFile())
        .path("spec").path("podMetricsEndpoints");
    if (endpoints.size() != 1 || !endpoints.get(0).path("port").isTextual()) {
      throw new IOException(POD_MONITOR + ": expected one podMetricsEndpoint with a port name, got " + endpoints);
    }
    JsonNode e = endpoints.get(0);
    return new MemberEndpoint(e.path("port").asText(), e.path("scheme").asText("http"), e.path("path").asText("/metrics"));
  }

  public static List<Panel> panels(Path repo) throws IOException {
    List<Panel> out = new ArrayList<>();
    for (JsonNode p : new ObjectMapper().readTree(repo.resolve(DASHBOARD).toFile()).path("panels")) {
      List<String> queries = new ArrayList<>();
      p.path("targets").forEach(t -> queries.add(allValues(t.path("expr").asText())));
      if (!queries.isEmpty()) {
        out.add(new Panel(p.path("title").asText(), queries));
      }
    }
    return out;
  }

  /** Grafana's substitutions for "All": the regex variables match anything, $__rate_interval is a minute. */
  public static String allValues(String expr) {
    return expr.replace("$__rate_interval", "1m").replace("$namespace", ".*").replace("$cluster", ".*");
  }

  /** Alert name to expression, in file order. */
  public static Map<String, String> alerts(Path repo) throws IOException {
    Map<String, String> out = new LinkedHashMap<>();
    for (JsonNode g : new ObjectMapper(new YAMLFactory()).readTree(repo.resolve(RULES).toFile()).path("groups")) {
      for (JsonNode r : g.path("rules")) {
        if (r.has("alert")) {
          out.put(r.path("alert").asText(), r.path("expr").asText());
        }
      }
    }
    return out;
  }

  /** The series selectors an expression reads (from Prometheus' own parser, /api/v1/parse_query), as PromQL. */
  public static List<String> selectors(PrometheusServer prometheus, String expr) throws IOException, InterruptedException {
    return selectorsOf(prometheus.api("parse_query", "query", expr));
  }

  /** The distinct vector and matrix selectors of a parsed expression (parse_query's AST), in order. */
  static List<String> selectorsOf(JsonNode ast) {
    List<String> out = new ArrayList<>();
    collect(ast, out);
    return out;
  }

  private static void collect(JsonNode node, List<String> out) {
    String type = node.path("type").asText();
    if (type.equals("vectorSelector") || type.equals("matrixSelector")) {
      List<String> matchers = new ArrayList<>();
      for (JsonNode m : node.path("matchers")) {
        String value = m.path("value").asText().replace("\\", "\\\\").replace("\"", "\\\"");
        matchers.add(m.path("name").asText() + m.path("type").asText() + "\"" + value + "\"");
      }
      String selector = "{" + String.join(", ", matchers) + "}";
      if (!out.contains(selector)) {
        out.add(selector);
      }
      return;
    }
    node.forEach(child -> {
      if (child.isContainerNode()) {
        collect(child, out);
      }
    });
  }
}
