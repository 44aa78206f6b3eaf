package io.skypanel.controlplane.paas.builds;

import io.skypanel.common.errors.ApiException;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The Dockerfile build args and target stage a source upload asks for, validated before anything is written: args
 * as a JSON object ({@code build_args}) and/or repeated {@code build_arg=NAME=VALUE}; names like shell variables;
 * bounded counts and sizes, so a build row and the engine call stay small. Build args are not secret (Docker keeps
 * them in the image's history): config vars are the place for secrets.
 *
 * @param args   name to value, in the order given (empty: none)
 * @param target the stage to build, or null for the last one
 */
public record BuildArgs(Map<String, String> args, String target) {

  public static final BuildArgs NONE = new BuildArgs(Map.of(), null);
  static final int MAX_ARGS = 64;
  static final int MAX_NAME = 128;
  static final int MAX_VALUE = 4096;
  private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  /** Docker's stage names: a letter or digit first, then letters, digits, '_', '.', '-'. */
  private static final Pattern TARGET = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");

  public BuildArgs {
    args = Collections.unmodifiableMap(new LinkedHashMap<>(args));
  }

  /**
   * Parses and validates; 400 ({@code validation}) saying what is wrong.
   *
   * @param json     the {@code build_args} JSON object text, or null
   * @param repeated the {@code build_arg} values ({@code NAME=VALUE}), possibly empty
   * @param target   the {@code target} stage, or null
   */
  public static BuildArgs parse(String json, List<String> repeated, String target) {
    Map<String, String> args = new LinkedHashMap<>();
    if (json != null) {
      JsonObject object;
      try {
        object = new JsonObject(json);
      } catch (DecodeException | IllegalArgumentException | ClassCastException e) {
        throw ApiException.validation("build_args must be a JSON object of names to strings", null);
      }
      for (String name : object.fieldNames()) {
        Object value = object.getValue(name);
        if (!(value instanceof String || value instanceof Number || value instanceof Boolean)) {
          throw ApiException.validation("build_args." + name + " must be a string", null);
        }
        put(args, name, value.toString());
      }
    }
    for (String pair : repeated) {
      int equals = pair.indexOf('=');
      if (equals <= 0) {
        throw ApiException.validation("build_arg must be NAME=VALUE", null);
      }
      put(args, pair.substring(0, equals), pair.substring(equals + 1));
    }
    if (target != null && !TARGET.matcher(target).matches()) {
      throw ApiException.validation("target must be a stage name: a letter or digit, then letters, digits, '_', '.' or '-' "
          + "(at most 128)", null);
    }
    return new BuildArgs(args, target);
  }

  private static void put(Map<String, String> args, String name, String value) {
    if (name.length() > MAX_NAME || !NAME.matcher(name).matches()) {
      throw ApiException.validation("build arg name '" + abbreviate(name) + "' must match [A-Za-z_][A-Za-z0-9_]* (at most "
          + MAX_NAME + " characters)", null);
    }
    if (value.length() > MAX_VALUE || value.indexOf('\0') >= 0) {
      throw ApiException.validation("build arg " + name + " must be at most " + MAX_VALUE + " characters, without NUL", null);
    }
    if (args.put(name, value) == null && args.size() > MAX_ARGS) {
      throw ApiException.validation("at most " + MAX_ARGS + " build args", null);
    }
  }

  private static String abbreviate(String name) {
    return name.length() > 40 ? name.substring(0, 40) + "…" : name;
  }

  /** The args as stored on the build row and shown by the API; null when there are none. */
  public JsonObject toJson() {
    if (args.isEmpty()) {
      return null;
    }
    JsonObject json = new JsonObject();
    args.forEach(json::put);
    return json;
  }
}
