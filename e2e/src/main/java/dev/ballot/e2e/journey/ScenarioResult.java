package dev.ballot.e2e.journey;

import java.util.LinkedHashMap;
import java.util.Map;

/** One scenario's outcome and what it measured, printed as {@code scenario <name> result=pass|fail k=v ...}. */
public final class ScenarioResult {
  private final String name;
  private final Map<String, Object> measurements = new LinkedHashMap<>();
  private boolean pass = true;
  private String reason;

  public ScenarioResult(String name) {
    this.name = name;
  }

  public String name() {
    return name;
  }

  public ScenarioResult put(String key, Object value) {
    measurements.put(key, value);
    return this;
  }

  public ScenarioResult fail(String why) {
    if (pass) {
      reason = why;
    }
    pass = false;
    return this;
  }

  /** Fails with the message unless the condition holds; returns the condition. */
  public boolean check(boolean condition, String whyNot) {
    if (!condition) {
      fail(whyNot);
    }
    return condition;
  }

  public boolean passed() {
    return pass;
  }

  public String line() {
    StringBuilder sb = new StringBuilder("scenario ").append(name).append(" result=").append(pass ? "pass" : "fail");
    measurements.forEach((k, v) -> sb.append(' ').append(k).append('=').append(format(v)));
    if (!pass && reason != null) {
      sb.append(" reason=").append(format(reason));
    }
    return sb.toString();
  }

  private static String format(Object v) {
    String s = String.valueOf(v);
    return s.matches("[A-Za-z0-9_.:/@+-]*") && !s.isEmpty() ? s : '"' + s.replace("\"", "'").replace("\n", " ") + '"';
  }
}
