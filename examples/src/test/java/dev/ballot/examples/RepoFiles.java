package dev.ballot.examples;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/** Paths in the repository and YAML reading the way the Kubernetes API sees it (plain maps, lists, scalars). */
final class RepoFiles {

  static final Path ROOT = locateRoot();
  static final Path CRD = ROOT.resolve("crds/electionclusters.ballot.dev-v1.yml");

  private RepoFiles() {}

  private static Path locateRoot() {
    String configured = System.getProperty("ballot.repo.root");
    Path start = configured != null ? Paths.get(configured) : Paths.get("").toAbsolutePath();
    for (Path p = start.toAbsolutePath().normalize(); p != null; p = p.getParent()) {
      if (Files.isDirectory(p.resolve("examples")) && Files.isDirectory(p.resolve("deploy"))) {
        return p;
      }
    }
    throw new IllegalStateException("cannot find the repository root (a folder with examples/ and deploy/) above " + start);
  }

  static String read(Path path) {
    try {
      return Files.readString(path);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every document of a YAML stream, empty documents dropped. */
  static List<Map<String, Object>> documents(String yamlText) {
    LoaderOptions options = new LoaderOptions();
    options.setCodePointLimit(32 * 1024 * 1024);
    Yaml yaml = new Yaml(new SafeConstructor(options));
    List<Map<String, Object>> docs = new ArrayList<>();
    for (Object doc : yaml.loadAll(yamlText)) {
      if (doc != null) {
        docs.add(asMap(normalize(doc), "document"));
      }
    }
    return docs;
  }

  static List<Map<String, Object>> documents(Path path) {
    return documents(read(path));
  }

  static Map<String, Object> single(Path path) {
    List<Map<String, Object>> docs = documents(path);
    if (docs.size() != 1) {
      throw new IllegalStateException(path + ": expected one YAML document, found " + docs.size());
    }
    return docs.get(0);
  }

  /** YAML 1.1 turns unquoted dates into Dates; the API server keeps them as RFC 3339 strings. */
  private static Object normalize(Object value) {
    if (value instanceof Date date) {
      return date.toInstant().toString();
    }
    if (value instanceof Map<?, ?> map) {
      Map<String, Object> out = new LinkedHashMap<>();
      map.forEach((k, v) -> out.put(String.valueOf(k), normalize(v)));
      return out;
    }
    if (value instanceof List<?> list) {
      List<Object> out = new ArrayList<>();
      list.forEach(v -> out.add(normalize(v)));
      return out;
    }
    return value;
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> asMap(Object value, String what) {
    if (!(value instanceof Map)) {
      throw new IllegalStateException(what + ": expected a mapping, got " + value);
    }
    return (Map<String, Object>) value;
  }

  @SuppressWarnings("unchecked")
  static List<Object> asList(Object value, String what) {
    if (!(value instanceof List)) {
      throw new IllegalStateException(what + ": expected a list, got " + value);
    }
    return (List<Object>) value;
  }

  /** Follows a dotted path of map keys; null when any step is missing. */
  static Object at(Map<String, Object> root, String dottedPath) {
    Object cur = root;
    for (String key : dottedPath.split("\\.")) {
      if (!(cur instanceof Map<?, ?> m)) {
        return null;
      }
      cur = m.get(key);
    }
    return cur;
  }
}
