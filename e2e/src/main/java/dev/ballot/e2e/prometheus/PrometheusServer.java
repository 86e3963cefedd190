package dev.ballot.e2e.prometheus;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Prometheus (the binary e2e/tools/build-prometheus.sh builds from its Go module) run as a local process
 * with a config the caller writes, and the few calls of its HTTP API (/api/v1) the journey makes.
 */
public final class PrometheusServer implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private final Process process;
  private final String base;

  private PrometheusServer(Process process, String base) {
    this.process = process;
    this.base = base;
  }

  /** The bin directory with prometheus and promtool: built once, then cached (prints it at once). */
  public static Path binaries(Path repo) throws IOException, InterruptedException {
    Path log = Files.createTempFile("build-prometheus", ".log");
    try {
      Process p = new ProcessBuilder("bash", repo.resolve("e2e/tools/build-prometheus.sh").toString())
          .redirectError(log.toFile()).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      if (!p.waitFor(60, TimeUnit.MINUTES) || p.exitValue() != 0) {
        throw new IOException("e2e/tools/build-prometheus.sh failed: " + Files.readString(log));
      }
      return Path.of(out);
    } finally {
      Files.deleteIfExists(log);
    }
  }

  /** Starts prometheus with config on 127.0.0.1:port, its data and log in dir; returns once it is ready. */
  public static PrometheusServer start(Path bin, Path config, Path dir, int port, Duration readyWithin)
      throws IOException, InterruptedException {
    Files.createDirectories(dir);
    List<String> cmd = List.of(bin.resolve("prometheus").toString(), "--config.file=" + config,
        "--storage.tsdb.path=" + dir.resolve("data"), "--storage.tsdb.retention.time=1d",
        "--web.listen-address=127.0.0.1:" + port, "--log.level=info");
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
    PrometheusServer server = new PrometheusServer(p, "http://127.0.0.1:" + port);
    long deadline = System.nanoTime() + readyWithin.toNanos();
    while (System.nanoTime() < deadline) {
      if (!p.isAlive()) {
        throw new IOException("prometheus exited with " + p.exitValue() + "; see " + dir.resolve("prometheus.log"));
      }
      try {
        if (HTTP.send(HttpRequest.newBuilder(URI.create(server.base + "/-/ready")).timeout(Duration.ofSeconds(2)).build(),
            HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return server;
        }
      } catch (IOException e) {
        // not listening yet
      }
      Thread.sleep(200);
    }
    server.close();
    throw new IOException("prometheus was not ready within " + readyWithin + "; see " + dir.resolve("prometheus.log"));
  }

  /** GET /api/v1/{path}?{query}: the "data" of a successful answer; an error answer throws with Prometheus' message. */
  public JsonNode api(String path, String... params) throws IOException, InterruptedException {
    StringBuilder url = new StringBuilder(base).append("/api/v1/").append(path);
    for (int i = 0; i + 1 < params.length; i += 2) {
      url.append(i == 0 ? '?' : '&').append(params[i]).append('=')
          .append(URLEncoder.encode(params[i + 1], StandardCharsets.UTF_8));
    }
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url.toString())).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
    JsonNode body = JSON.readTree(r.body());
    if (!"success".equals(body.path("status").asText())) {
      throw new IOException(path + " " + String.join(" ", params) + ": " + r.statusCode() + " " + r.body());
    }
    return body.get("data");
  }

  /** An instant query's result vector (empty when no series matched). */
  public List<JsonNode> query(String promql) throws IOException, InterruptedException {
    List<JsonNode> out = new ArrayList<>();
    api("query", "query", promql).path("result").forEach(out::add);
    return out;
  }

  /** Alerts pending or firing now: state by alert name (firing wins over pending). */
  public java.util.Map<String, String> alerts() throws IOException, InterruptedException {
    java.util.Map<String, String> out = new java.util.TreeMap<>();
    for (JsonNode a : api("alerts").path("alerts")) {
      out.merge(a.path("labels").path("alertname").asText(), a.path("state").asText(),
          (x, y) -> x.equals("firing") || y.equals("firing") ? "firing" : x);
    }
    return out;
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
