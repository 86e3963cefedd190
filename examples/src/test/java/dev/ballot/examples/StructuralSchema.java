package dev.ballot.examples;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Checks a YAML object against a CRD's openAPIV3Schema the way the API server's structural validation does
 * for what examples can get wrong: types, required fields, enums, bounds, patterns and unknown fields (which
 * the API server would silently prune, so a typo in an example would vanish without a word). CEL rules are
 * not evaluated here.
 */
final class StructuralSchema {

  private final Map<String, Object> root;

  StructuralSchema(Map<String, Object> openApiV3Schema) {
    this.root = openApiV3Schema;
  }

  /** The openAPIV3Schema of the given version in a CRD document. */
  static StructuralSchema fromCrd(Map<String, Object> crd, String version) {
    for (Object v : RepoFiles.asList(RepoFiles.at(crd, "spec.versions"), "spec.versions")) {
      Map<String, Object> ver = RepoFiles.asMap(v, "version");
      if (version.equals(ver.get("name"))) {
        return new StructuralSchema(RepoFiles.asMap(RepoFiles.at(ver, "schema.openAPIV3Schema"), "openAPIV3Schema"));
      }
    }
    throw new IllegalArgumentException("the CRD has no version " + version);
  }

  /** Every violation, each naming the field path; empty when the object fits. */
  List<String> validate(Map<String, Object> object) {
    List<String> errors = new ArrayList<>();
    validate(object, root, "", errors, true);
    return errors;
  }

  private void validate(Object value, Map<String, Object> schema, String path, List<String> errors, boolean atRoot) {
    String where = path.isEmpty() ? "<root>" : path;
    if (value == null) {
      if (!Boolean.TRUE.equals(schema.get("nullable"))) {
        errors.add(where + ": null is not allowed");
      }
      return;
    }
    if (Boolean.TRUE.equals(schema.get("x-kubernetes-int-or-string"))) {
      if (!(isInteger(value) || value instanceof String)) {
        errors.add(where + ": must be an integer or a string, got " + describe(value));
      }
      checkPattern(value, schema, where, errors);
      return;
    }
    Object type = schema.get("type");
    if (type == null) {
      checkAnyOf(value, schema, where, errors);
      return;
    }
    switch ((String) type) {
      case "object" -> validateObject(value, schema, path, errors, atRoot);
      case "array" -> validateArray(value, schema, path, errors);
      case "string" -> {
        if (!(value instanceof String s)) {
          errors.add(where + ": must be a string, got " + describe(value));
          return;
        }
        checkEnum(value, schema, where, errors);
        checkPattern(value, schema, where, errors);
        if (schema.get("maxLength") instanceof Number max && s.length() > max.intValue()) {
          errors.add(where + ": longer than " + max + " characters");
        }
        if (schema.get("minLength") instanceof Number min && s.length() < min.intValue()) {
          errors.add(where + ": shorter than " + min + " characters");
        }
      }
      case "integer" -> {
        if (!isInteger(value)) {
          errors.add(where + ": must be an integer, got " + describe(value));
          return;
        }
        checkBounds(((Number) value).doubleValue(), schema, where, errors);
        checkEnum(value, schema, where, errors);
      }
      case "number" -> {
        if (!(value instanceof Number n)) {
          errors.add(where + ": must be a number, got " + describe(value));
          return;
        }
        checkBounds(n.doubleValue(), schema, where, errors);
      }
      case "boolean" -> {
        if (!(value instanceof Boolean)) {
          errors.add(where + ": must be true or false, got " + describe(value));
        }
      }
      default -> errors.add(where + ": the schema has an unknown type " + type);
    }
  }

  private void validateObject(Object value, Map<String, Object> schema, String path, List<String> errors, boolean atRoot) {
    String where = path.isEmpty() ? "<root>" : path;
    if (!(value instanceof Map)) {
      errors.add(where + ": must be an object, got " + describe(value));
      return;
    }
    Map<String, Object> object = RepoFiles.asMap(value, where);
    Map<String, Object> properties = schema.get("properties") == null ? Map.of() : RepoFiles.asMap(schema.get("properties"), "properties");
    Object additional = schema.get("additionalProperties");
    boolean preserveUnknown = Boolean.TRUE.equals(schema.get("x-kubernetes-preserve-unknown-fields"))
        || Boolean.TRUE.equals(additional);
    boolean embedded = Boolean.TRUE.equals(schema.get("x-kubernetes-embedded-resource"));
    for (Map.Entry<String, Object> field : object.entrySet()) {
      String key = field.getKey();
      String child = path.isEmpty() ? key : path + "." + key;
      if (atRoot && (key.equals("apiVersion") || key.equals("kind") || key.equals("metadata"))) {
        continue; // implicit at the root of every custom resource; ObjectMeta is validated by the API server.
      }
      if (properties.containsKey(key)) {
        validate(field.getValue(), RepoFiles.asMap(properties.get(key), child), child, errors, false);
      } else if (additional instanceof Map<?, ?>) {
        validate(field.getValue(), RepoFiles.asMap(additional, child), child, errors, false);
      } else if (embedded && (key.equals("apiVersion") || key.equals("kind") || key.equals("metadata"))) {
        continue;
      } else if (!preserveUnknown) {
        errors.add(child + ": unknown field (known here: " + String.join(", ", properties.keySet()) + ")");
      }
    }
    if (schema.get("required") != null) {
      for (Object required : RepoFiles.asList(schema.get("required"), "required")) {
        if (!object.containsKey((String) required) || object.get(required) == null) {
          errors.add((path.isEmpty() ? "" : path + ".") + required + ": required");
        }
      }
    }
  }

  private void validateArray(Object value, Map<String, Object> schema, String path, List<String> errors) {
    if (!(value instanceof List)) {
      errors.add(path + ": must be a list, got " + describe(value));
      return;
    }
    List<Object> list = RepoFiles.asList(value, path);
    if (schema.get("maxItems") instanceof Number max && list.size() > max.intValue()) {
      errors.add(path + ": more than " + max + " items");
    }
    if (schema.get("minItems") instanceof Number min && list.size() < min.intValue()) {
      errors.add(path + ": fewer than " + min + " items");
    }
    if (schema.get("items") instanceof Map<?, ?> items) {
      for (int i = 0; i < list.size(); i++) {
        validate(list.get(i), RepoFiles.asMap(items, path), path + "[" + i + "]", errors, false);
      }
    }
  }

  /** Structural schemas use anyOf/oneOf only to list alternative types (e.g. quantities: integer or string). */
  private void checkAnyOf(Object value, Map<String, Object> schema, String where, List<String> errors) {
    for (String key : List.of("anyOf", "oneOf")) {
      if (schema.get(key) == null) {
        continue;
      }
      boolean any = false;
      for (Object alternative : RepoFiles.asList(schema.get(key), key)) {
        List<String> sub = new ArrayList<>();
        validate(value, RepoFiles.asMap(alternative, key), where, sub, false);
        any |= sub.isEmpty();
      }
      if (!any) {
        errors.add(where + ": matches none of " + key + " " + schema.get(key));
      }
    }
  }

  private static void checkEnum(Object value, Map<String, Object> schema, String where, List<String> errors) {
    if (schema.get("enum") != null && !RepoFiles.asList(schema.get("enum"), "enum").contains(value)) {
      errors.add(where + ": " + value + " is not one of " + schema.get("enum"));
    }
  }

  private static void checkPattern(Object value, Map<String, Object> schema, String where, List<String> errors) {
    if (value instanceof String s && schema.get("pattern") instanceof String pattern) {
      try {
        if (!Pattern.compile(pattern).matcher(s).find()) {
          errors.add(where + ": '" + s + "' does not match " + pattern);
        }
      } catch (PatternSyntaxException e) {
        errors.add(where + ": the schema's pattern " + pattern + " is not a valid regular expression");
      }
    }
  }

  private static void checkBounds(double v, Map<String, Object> schema, String where, List<String> errors) {
    if (schema.get("minimum") instanceof Number min && v < min.doubleValue()) {
      errors.add(where + ": " + format(v) + " is below the minimum " + min);
    }
    if (schema.get("maximum") instanceof Number max && v > max.doubleValue()) {
      errors.add(where + ": " + format(v) + " is above the maximum " + max);
    }
  }

  private static boolean isInteger(Object value) {
    return value instanceof Integer || value instanceof Long || value instanceof BigInteger;
  }

  private static String format(double v) {
    return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
  }

  private static String describe(Object value) {
    return value.getClass().getSimpleName().toLowerCase() + " " + value;
  }
}
