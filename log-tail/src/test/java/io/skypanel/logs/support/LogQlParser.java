package io.skypanel.logs.support;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The LogQL subset the Loki test server accepts: a stream selector of exact matchers {@code {k="v",...}}
 * followed by any number of {@code |= "text"} line filters, strings in Go's interpreted syntax. Anything else
 * (regex matchers, other pipeline stages, raw strings, a second selector, trailing text) is a parse error, so a
 * test passes only if the service never sends more than that.
 */
public final class LogQlParser {

  /** A parsed query. */
  public record Query(Map<String, String> matchers, List<String> lineFilters) {

    public boolean matches(Map<String, String> labels) {
      return matchers.entrySet().stream().allMatch(m -> m.getValue().equals(labels.get(m.getKey())));
    }

    public boolean accepts(String line) {
      return lineFilters.stream().allMatch(line::contains);
    }
  }

  /** Why a query was rejected (answered with 400 and this text). */
  public static final class ParseError extends RuntimeException {
    ParseError(String message) {
      super(message);
    }
  }

  private final String text;
  private int pos;

  private LogQlParser(String text) {
    this.text = text;
  }

  public static Query parse(String text) {
    if (text == null) {
      throw new ParseError("parse error : query is empty");
    }
    return new LogQlParser(text).query();
  }

  private Query query() {
    Map<String, String> matchers = new LinkedHashMap<>();
    skipSpace();
    expect('{');
    skipSpace();
    while (true) {
      String name = name();
      skipSpace();
      expect('=');
      if (peek() == '~') {
        throw error("only exact matchers are supported");
      }
      skipSpace();
      String value = string();
      if (matchers.put(name, value) != null) {
        throw error("duplicate matcher " + name);
      }
      skipSpace();
      if (peek() == ',') {
        pos++;
        skipSpace();
        continue;
      }
      expect('}');
      break;
    }
    List<String> filters = new ArrayList<>();
    while (true) {
      skipSpace();
      if (pos == text.length()) {
        break;
      }
      if (!text.startsWith("|=", pos)) {
        throw error("unexpected input");
      }
      pos += 2;
      skipSpace();
      filters.add(string());
    }
    return new Query(matchers, filters);
  }

  private String name() {
    int start = pos;
    while (pos < text.length() && (Character.isLetterOrDigit(text.charAt(pos)) || text.charAt(pos) == '_')) {
      pos++;
    }
    if (start == pos || Character.isDigit(text.charAt(start))) {
      throw error("expected a label name");
    }
    return text.substring(start, pos);
  }

  private String string() {
    if (peek() == '`') {
      throw error("raw strings are not accepted");
    }
    expect('"');
    StringBuilder out = new StringBuilder();
    while (true) {
      if (pos >= text.length()) {
        throw error("unterminated string");
      }
      char c = text.charAt(pos++);
      if (c == '"') {
        return out.toString();
      }
      if (c == '\n') {
        throw error("newline in string");
      }
      if (c != '\\') {
        out.append(c);
        continue;
      }
      if (pos >= text.length()) {
        throw error("unterminated escape");
      }
      char e = text.charAt(pos++);
      switch (e) {
        case '\\' -> out.append('\\');
        case '"' -> out.append('"');
        case 'n' -> out.append('\n');
        case 'r' -> out.append('\r');
        case 't' -> out.append('\t');
        case 'a' -> out.append('\u0007');
        case 'b' -> out.append('\b');
        case 'f' -> out.append('\f');
        case 'v' -> out.append('\u000b');
        case 'x' -> out.append((char) hex(2));
        case 'u' -> out.append((char) hex(4));
        default -> throw error("unknown escape sequence \\" + e);
      }
    }
  }

  private int hex(int digits) {
    if (pos + digits > text.length()) {
      throw error("short escape");
    }
    try {
      int value = Integer.parseInt(text.substring(pos, pos + digits), 16);
      pos += digits;
      return value;
    } catch (NumberFormatException e) {
      throw error("bad hex escape");
    }
  }

  private char peek() {
    return pos < text.length() ? text.charAt(pos) : '\0';
  }

  private void expect(char c) {
    if (peek() != c) {
      throw error("expected '" + c + "'");
    }
    pos++;
  }

  private void skipSpace() {
    while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
      pos++;
    }
  }

  private ParseError error(String what) {
    return new ParseError("parse error at position " + (pos + 1) + ": " + what);
  }
}
