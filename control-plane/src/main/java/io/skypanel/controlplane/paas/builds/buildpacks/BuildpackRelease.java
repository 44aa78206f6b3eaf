package io.skypanel.controlplane.paas.builds.buildpacks;

import io.skypanel.controlplane.paas.builds.BuildFailedException;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a classic buildpack's {@code bin/release} prints: YAML with {@code default_process_types} and
 * {@code config_vars}, each a map of one-line strings. Only that subset of YAML is read (the shape every classic
 * buildpack prints), so no YAML library is needed: top-level keys at column 0, entries indented, values plain or
 * quoted; other top-level keys ({@code addons}) are ignored. Anything else fails the build naming the line.
 *
 * @param processTypes {@code default_process_types} in order
 * @param configVars   {@code config_vars} in order (baked into the image as {@code ENV})
 */
public record BuildpackRelease(Map<String, String> processTypes, Map<String, String> configVars) {

  private static final Pattern TOP = Pattern.compile("^([A-Za-z_][A-Za-z0-9_]*)\\s*:\\s*(.*)$");
  private static final Pattern ENTRY = Pattern.compile("^\\s+([A-Za-z_][A-Za-z0-9_-]*)\\s*:\\s*(.*)$");
  private static final Pattern VARIABLE = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  /** Parses {@code text}; {@code buildpack} names the culprit in the failure. */
  public static BuildpackRelease parse(String buildpack, String text) {
    Map<String, String> types = new LinkedHashMap<>();
    Map<String, String> vars = new LinkedHashMap<>();
    Map<String, String> current = null;
    boolean ignored = false;
    String[] lines = text.split("\\r?\\n");
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      String trimmed = line.strip();
      if (trimmed.isEmpty() || trimmed.startsWith("#") || trimmed.equals("---") || trimmed.equals("--- {}")) {
        continue;
      }
      Matcher top = TOP.matcher(line);
      if (top.matches()) {
        String key = top.group(1);
        current = switch (key) {
          case "default_process_types" -> types;
          case "config_vars" -> vars;
          default -> null;
        };
        ignored = current == null;
        String inline = top.group(2).strip();
        if (current != null && !inline.isEmpty() && !inline.matches("\\{\\s*}")) {
          throw invalid(buildpack, i, key + " value '" + abbreviate(inline) + "' (a map, one entry per line)");
        }
        continue;
      }
      if (ignored && Character.isWhitespace(line.charAt(0))) {
        // the body of a key the platform does not use (addons: - heroku-postgresql)
        continue;
      }
      Matcher entry = ENTRY.matcher(line);
      if (entry.matches() && current != null) {
        String key = entry.group(1);
        if (current == vars && !VARIABLE.matcher(key).matches()) {
          throw invalid(buildpack, i, "config var name '" + key + "'");
        }
        current.put(current == types ? key.toLowerCase(java.util.Locale.ROOT) : key, unquote(entry.group(2).strip()));
        continue;
      }
      throw invalid(buildpack, i, "line '" + abbreviate(trimmed) + "'");
    }
    return new BuildpackRelease(types, vars);
  }

  private static String unquote(String value) {
    if (value.length() >= 2 && ((value.startsWith("\"") && value.endsWith("\"")) || (value.startsWith("'") && value.endsWith("'")))) {
      String inner = value.substring(1, value.length() - 1);
      return value.startsWith("'") ? inner.replace("''", "'") : inner.replace("\\\"", "\"").replace("\\\\", "\\");
    }
    return value;
  }

  private static BuildFailedException invalid(String buildpack, int index, String what) {
    return new BuildFailedException("buildpack " + buildpack + ": bin/release printed an unreadable " + what + " (line " + (index + 1)
        + "); expected YAML with default_process_types and config_vars");
  }

  private static String abbreviate(String line) {
    return line.length() <= 80 ? line : line.substring(0, 77) + "...";
  }
}
