package io.skypanel.controlplane.paas.environments;

import io.skypanel.common.crypto.SecretBox;
import io.skypanel.common.errors.ApiException;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * An environment's config vars, opened from and sealed into their column (a JSON object under the master key). Only
 * names are ever logged or shown to viewers.
 */
public final class ConfigVars {

  private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,254}");
  /** What a viewer sees instead of a value. */
  public static final String MASK = "********";

  private final SecretBox secrets;

  public ConfigVars(SecretBox secrets) {
    this.secrets = secrets;
  }

  public Map<String, String> open(String sealed) {
    return new TreeMap<>(secrets.openMap(sealed));
  }

  public String seal(Map<String, String> vars) {
    return secrets.sealMap(new TreeMap<>(vars));
  }

  /**
   * Heroku semantics: a value sets, null deletes. PORT belongs to the platform (the web process's port) and SKYPANEL_
   * names are reserved; either is a 400 before anything is written.
   */
  public static Map<String, String> patched(Map<String, String> current, JsonObject patch) {
    Map<String, String> merged = new TreeMap<>(current);
    for (String key : patch.fieldNames()) {
      if (!NAME.matcher(key).matches() || key.startsWith("SKYPANEL_") || "PORT".equals(key)) {
        throw ApiException.validation("config var name '" + key + "' is not allowed", null);
      }
      Object value = patch.getValue(key);
      if (value == null) {
        merged.remove(key);
      } else {
        merged.put(key, value.toString());
      }
    }
    return merged;
  }

  /** "Set FOO, BAR config vars", "Remove BAZ config vars", or both, as Heroku describes such releases. */
  public static String describe(JsonObject patch) {
    List<String> set = new ArrayList<>();
    List<String> removed = new ArrayList<>();
    patch.fieldNames().stream().sorted().forEach(key -> (patch.getValue(key) == null ? removed : set).add(key));
    List<String> parts = new ArrayList<>();
    if (!set.isEmpty()) {
      parts.add("Set " + String.join(", ", set) + " config vars");
    }
    if (!removed.isEmpty()) {
      parts.add("Remove " + String.join(", ", removed) + " config vars");
    }
    return String.join("; ", parts);
  }

  /** The map as a viewer sees it: names, masked values. */
  public static JsonObject masked(Map<String, String> vars) {
    JsonObject json = new JsonObject();
    vars.keySet().forEach(name -> json.put(name, MASK));
    return json;
  }
}
