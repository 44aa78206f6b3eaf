package io.skypanel.controlplane.caas.policies;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A container image reference, parsed and normalised the way the Docker engine resolves it:
 * <ul>
 *   <li>{@code nginx} is {@code docker.io/library/nginx:latest};</li>
 *   <li>{@code bitnami/redis:7} is {@code docker.io/bitnami/redis:7};</li>
 *   <li>{@code ghcr.io/acme/api@sha256:<64 hex>} keeps its digest and gets no implicit tag;</li>
 *   <li>{@code localhost:5000/app:1} and {@code 127.0.0.1:5000/app:1} name a registry with a port.</li>
 * </ul>
 * The first path component is a registry host when it contains a dot or a colon, is {@code localhost}, or
 * has upper-case letters (Docker's rule); otherwise the image is on Docker Hub. {@code index.docker.io} and
 * {@code registry-1.docker.io} are spelled {@code docker.io}. Hosts are lower-cased; IPv6 literals are not
 * accepted. Only {@code sha256} digests are accepted.
 *
 * @param registry   host[:port], e.g. {@code docker.io}, {@code ghcr.io}, {@code localhost:5000}
 * @param repository the path inside the registry, e.g. {@code library/nginx}
 * @param tag        the tag; {@code latest} when neither tag nor digest was given; null when only a digest was
 * @param digest     {@code sha256:<64 hex>}, or null
 */
public record ImageReference(String registry, String repository, String tag, String digest) {

  public static final String DOCKER_HUB = "docker.io";
  /** The longest reference accepted (the {@code paas_containers.image_ref} column). */
  public static final int MAX_LENGTH = 512;

  private static final Pattern HOST = Pattern.compile(
      "^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:[0-9]{1,5})?$");
  private static final Pattern COMPONENT = Pattern.compile("^[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*$");
  private static final Pattern TAG = Pattern.compile("^\\w[\\w.-]{0,127}$");
  private static final Pattern DIGEST = Pattern.compile("^sha256:[0-9a-f]{64}$");
  private static final int MAX_NAME = 255;

  /** Parses {@code text}; throws {@link IllegalArgumentException} with a message fit for a client. */
  public static ImageReference parse(String text) {
    if (text == null || text.isEmpty()) {
      throw new IllegalArgumentException("the image reference is empty");
    }
    if (text.length() > MAX_LENGTH) {
      throw new IllegalArgumentException("the image reference is longer than " + MAX_LENGTH + " characters");
    }
    if (!text.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
      throw new IllegalArgumentException("the image reference contains spaces or characters that are not printable ASCII");
    }
    String name = text;
    String digest = null;
    int at = name.indexOf('@');
    if (at >= 0) {
      digest = name.substring(at + 1);
      name = name.substring(0, at);
      if (!DIGEST.matcher(digest).matches()) {
        throw new IllegalArgumentException("the digest '" + digest + "' is not sha256:<64 lower-case hex digits>");
      }
    }
    String tag = null;
    int colon = name.lastIndexOf(':');
    if (colon > name.lastIndexOf('/')) {
      tag = name.substring(colon + 1);
      name = name.substring(0, colon);
      if (!TAG.matcher(tag).matches()) {
        throw new IllegalArgumentException("the tag '" + tag + "' is not valid (letters, digits, '_', '.', '-'; at most 128; not starting with '.' or '-')");
      }
    }
    if (name.isEmpty()) {
      throw new IllegalArgumentException("the image reference has no repository name");
    }
    String registry = DOCKER_HUB;
    String repository = name;
    int slash = name.indexOf('/');
    if (slash >= 0) {
      String first = name.substring(0, slash);
      if (first.contains(".") || first.contains(":") || first.equals("localhost") || !first.equals(first.toLowerCase(Locale.ROOT))) {
        registry = normalizeRegistry(first);
        repository = name.substring(slash + 1);
      }
    }
    if (DOCKER_HUB.equals(registry) && !repository.contains("/")) {
      repository = "library/" + repository;
    }
    for (String component : repository.split("/", -1)) {
      if (!COMPONENT.matcher(component).matches()) {
        throw new IllegalArgumentException("the repository '" + repository + "' is not valid (lower-case letters, digits and "
            + "'.', '_', '-' separators in each '/'-separated part)");
      }
    }
    if (registry.length() + 1 + repository.length() > MAX_NAME) {
      throw new IllegalArgumentException("the image name is longer than " + MAX_NAME + " characters");
    }
    if (tag == null && digest == null) {
      tag = "latest";
    }
    return new ImageReference(registry, repository, tag, digest);
  }

  /**
   * A registry as written by a user ({@code Docker.IO}, {@code index.docker.io}, {@code ghcr.io:443}) in the
   * form references use; throws {@link IllegalArgumentException} when it is not host[:port].
   */
  public static String normalizeRegistry(String host) {
    String lower = host.toLowerCase(Locale.ROOT);
    if (!HOST.matcher(lower).matches() || lower.length() > 253) {
      throw new IllegalArgumentException("the registry '" + host + "' is not a host name with an optional port");
    }
    int colon = lower.indexOf(':');
    if (colon >= 0) {
      int port = Integer.parseInt(lower.substring(colon + 1));
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException("the registry port " + port + " is out of range");
      }
    }
    return switch (lower) {
      case "index.docker.io", "registry-1.docker.io" -> DOCKER_HUB;
      default -> lower;
    };
  }

  /** {@code registry/repository}, e.g. {@code docker.io/library/nginx}. */
  public String name() {
    return registry + "/" + repository;
  }

  /** The fully qualified reference: {@code name[:tag][@digest]}. */
  public String canonical() {
    return name() + (tag == null ? "" : ":" + tag) + (digest == null ? "" : "@" + digest);
  }

  @Override
  public String toString() {
    return canonical();
  }
}
