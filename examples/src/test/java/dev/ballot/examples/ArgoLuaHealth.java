package dev.ballot.examples;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.luaj.vm2.Globals;
import org.luaj.vm2.LoadState;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.compiler.LuaC;
import org.luaj.vm2.lib.PackageLib;
import org.luaj.vm2.lib.StringLib;
import org.luaj.vm2.lib.TableLib;
import org.luaj.vm2.lib.jse.JseBaseLib;
import org.luaj.vm2.lib.jse.JseMathLib;

/**
 * Runs an Argo CD health.lua the way Argo CD does: a fresh VM per call with only the safe libraries
 * (base, package, table, string, math; no io, no os), the live object as the global {@code obj} built from
 * its JSON form, and the returned table's {@code status} and {@code message} as the result.
 */
final class ArgoLuaHealth {

  /** Argo CD's health statuses (gitops-engine health.HealthStatusCode). */
  static final Set<String> STATUSES = Set.of("Healthy", "Progressing", "Degraded", "Suspended", "Missing", "Unknown");

  record Result(String status, String message) {}

  private final String script;

  ArgoLuaHealth(String script) {
    this.script = script;
  }

  Result assess(Map<String, Object> obj) {
    Globals globals = sandbox();
    globals.set("obj", toLua(obj));
    LuaValue returned;
    try {
      returned = globals.load(script, "health.lua").call();
    } catch (LuaError e) {
      throw new AssertionError("health.lua failed: " + e.getMessage(), e);
    }
    if (!returned.istable()) {
      throw new AssertionError("health.lua must return a table (Argo CD reports an error otherwise), returned " + returned.typename());
    }
    LuaValue status = returned.get("status");
    LuaValue message = returned.get("message");
    if (!status.isstring() || !STATUSES.contains(status.tojstring())) {
      throw new AssertionError("health.lua returned status " + status + "; Argo CD accepts only " + STATUSES);
    }
    return new Result(status.tojstring(), message.isnil() ? "" : message.tojstring());
  }

  private static Globals sandbox() {
    Globals globals = new Globals();
    globals.load(new JseBaseLib());
    globals.load(new PackageLib());
    globals.load(new TableLib());
    globals.load(new StringLib());
    globals.load(new JseMathLib());
    LoadState.install(globals);
    LuaC.install(globals);
    // JseBaseLib offers dofile/loadfile from disk; Argo's VM cannot read files.
    globals.set("dofile", LuaValue.NIL);
    globals.set("loadfile", LuaValue.NIL);
    return globals;
  }

  /** JSON to Lua as Argo CD does it: objects and arrays become tables (arrays 1-based), null becomes absent. */
  static LuaValue toLua(Object value) {
    if (value == null) {
      return LuaValue.NIL;
    }
    if (value instanceof Map<?, ?> map) {
      LuaTable table = new LuaTable();
      map.forEach((k, v) -> {
        if (v != null) {
          table.set(String.valueOf(k), toLua(v));
        }
      });
      return table;
    }
    if (value instanceof List<?> list) {
      LuaTable table = new LuaTable();
      for (int i = 0; i < list.size(); i++) {
        table.set(i + 1, toLua(list.get(i)));
      }
      return table;
    }
    if (value instanceof Boolean b) {
      return LuaValue.valueOf(b);
    }
    if (value instanceof Number n) {
      // Argo CD's gopher-lua has one number type (float64); integral values print without a fraction.
      return LuaValue.valueOf(n.doubleValue());
    }
    return LuaValue.valueOf(String.valueOf(value));
  }
}
