package io.skypanel.controlplane.paas.builds;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Heroku's Procfile: one {@code <type>: <command>} per line; blank lines and {@code #} comments are skipped. Types
 * follow the release's process type rule ({@code [a-z][a-z0-9_-]{0,29}}, lower-cased as Heroku does); a malformed line
 * fails the build with its line number rather than being dropped silently.
 */
public final class Procfile {

  private static final Pattern LINE = Pattern.compile("^([A-Za-z][A-Za-z0-9_-]{0,29})\\s*:\\s*(.+)$");

  private Procfile() {
  }

  /** The process types of {@code text}, in file order; a later duplicate type replaces the earlier one. */
  public static Map<String, String> parse(String text) {
    Map<String, String> types = new LinkedHashMap<>();
    String[] lines = text.split("\\r?\\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      Matcher matcher = LINE.matcher(line);
      if (!matcher.matches()) {
        throw new BuildFailedException("Procfile line " + (i + 1) + " is not '<type>: <command>': " + abbreviate(line));
      }
      types.put(matcher.group(1).toLowerCase(java.util.Locale.ROOT), matcher.group(2).strip());
    }
    return types;
  }

  private static String abbreviate(String line) {
    return line.length() <= 80 ? line : line.substring(0, 77) + "...";
  }
}
