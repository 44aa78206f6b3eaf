package io.skypanel.edge.platform;

import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which service answers an API request, read from the OpenAPI document ({@code docs/openapi.json}): an operation
 * marked {@value #SERVICE_EXTENSION} belongs to that service, every other one to the {@value #CONTROL_PLANE}.
 * Path templates become a tree of segments; at each segment a literal ({@code /console/ticket}) is tried before a
 * parameter ({@code /{containerId}}), falling back to the parameter when the literal branch leads nowhere, as
 * OpenAPI requires ("concrete paths are matched before templated ones"). A request matching no operation is
 * {@link #serviceFor answered} with null; the caller decides (the edge sends {@code /api} to the control plane).
 * Immutable; safe to share between event loops.
 */
public final class ApiOperations {

  public static final String SERVICE_EXTENSION = "x-skypanel-service";
  public static final String CONTROL_PLANE = "control-plane";

  private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "options", "head", "patch", "trace");

  private final Node root = new Node();
  private final Set<String> services = new TreeSet<>();

  private ApiOperations() {
  }

  /** The table of {@code document}'s {@code paths}. */
  public static ApiOperations from(JsonObject document) {
    ApiOperations operations = new ApiOperations();
    operations.services.add(CONTROL_PLANE);
    JsonObject paths = document.getJsonObject("paths", new JsonObject());
    for (String path : paths.fieldNames()) {
      JsonObject item = paths.getJsonObject(path);
      Map<String, String> byMethod = new HashMap<>();
      for (String method : item.fieldNames()) {
        if (METHODS.contains(method) && item.getValue(method) instanceof JsonObject operation) {
          byMethod.put(method.toUpperCase(Locale.ROOT), operation.getString(SERVICE_EXTENSION, CONTROL_PLANE));
        }
      }
      if (!byMethod.isEmpty()) {
        operations.add(path, byMethod);
        operations.services.addAll(byMethod.values());
      }
    }
    return operations;
  }

  /** Every service the document names, the control plane included. */
  public Set<String> services() {
    return Set.copyOf(services);
  }

  /**
   * The service of the operation {@code method} {@code path} matches, or null when no path template matches. A method
   * the path does not declare (a CORS preflight, HEAD) goes where all of the path's operations go, or to the control
   * plane when they disagree.
   *
   * @param path the request path, without the query; dot segments and empty segments are resolved first
   */
  public String serviceFor(String method, String path) {
    List<String> segments = segments(path);
    Node match = segments == null ? null : root.find(segments, 0);
    if (match == null) {
      return null;
    }
    String service = match.byMethod.get(method.toUpperCase(Locale.ROOT));
    return service != null ? service : match.anyMethod;
  }

  private void add(String template, Map<String, String> byMethod) {
    Node node = root;
    for (String segment : segments(template)) {
      boolean parameter = segment.startsWith("{") && segment.endsWith("}");
      node = parameter ? node.parameterChild() : node.literals.computeIfAbsent(segment, s -> new Node());
    }
    node.byMethod.putAll(byMethod);
    Set<String> distinct = new TreeSet<>(node.byMethod.values());
    node.anyMethod = distinct.size() == 1 ? distinct.iterator().next() : CONTROL_PLANE;
  }

  /**
   * The path's segments as the services' routers see them: percent-encoded unreserved characters decoded, empty and
   * {@code .} segments dropped, {@code ..} applied; null when {@code ..} climbs above the root.
   */
  static List<String> segments(String path) {
    List<String> segments = new ArrayList<>();
    if (path == null) {
      return segments;
    }
    for (String raw : path.split("/")) {
      String segment = decodeUnreserved(raw);
      if (segment.isEmpty() || segment.equals(".")) {
        continue;
      }
      if (segment.equals("..")) {
        if (segments.isEmpty()) {
          return null;
        }
        segments.remove(segments.size() - 1);
        continue;
      }
      segments.add(segment);
    }
    return segments;
  }

  /** RFC 3986 §6.2.2.2: {@code %41} is {@code A}; other escapes (a slash, a space) stay as they are. */
  private static String decodeUnreserved(String segment) {
    if (segment.indexOf('%') < 0) {
      return segment;
    }
    StringBuilder out = new StringBuilder(segment.length());
    for (int i = 0; i < segment.length(); i++) {
      char c = segment.charAt(i);
      if (c == '%' && i + 2 < segment.length()) {
        int high = Character.digit(segment.charAt(i + 1), 16);
        int low = Character.digit(segment.charAt(i + 2), 16);
        char decoded = (char) (high * 16 + low);
        if (high >= 0 && low >= 0 && isUnreserved(decoded)) {
          out.append(decoded);
          i += 2;
          continue;
        }
      }
      out.append(c);
    }
    return out.toString();
  }

  private static boolean isUnreserved(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "-._~".indexOf(c) >= 0;
  }

  /** One segment position: literal children, at most one parameter child, and the operations ending here. */
  private static final class Node {
    final Map<String, Node> literals = new HashMap<>();
    Node parameter;
    final Map<String, String> byMethod = new HashMap<>();
    String anyMethod;

    Node parameterChild() {
      if (parameter == null) {
        parameter = new Node();
      }
      return parameter;
    }

    Node find(List<String> segments, int index) {
      if (index == segments.size()) {
        return anyMethod == null ? null : this;
      }
      Node literal = literals.get(segments.get(index));
      Node found = literal == null ? null : literal.find(segments, index + 1);
      if (found == null && parameter != null) {
        found = parameter.find(segments, index + 1);
      }
      return found;
    }
  }
}
