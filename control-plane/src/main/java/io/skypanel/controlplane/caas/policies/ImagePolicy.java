package io.skypanel.controlplane.caas.policies;

import java.util.ArrayList;
import java.util.List;

/**
 * Which images an organization may run: pure evaluation, no I/O.
 *
 * <p><b>Rules</b>, checked in this order; the first that fails is the answer:
 * <ol>
 *   <li>{@code allowed_registries}: when not empty, the image's registry host[:port] must be one of them
 *       (exact, after normalisation: {@code index.docker.io} is {@code docker.io});</li>
 *   <li>{@code blocked_patterns}: the image must match none of them;</li>
 *   <li>{@code allowed_patterns}: when not empty, the image must match at least one;</li>
 *   <li>{@code require_digest}: the image must be pinned by digest ({@code name@sha256:...}).</li>
 * </ol>
 *
 * <p><b>Patterns</b> are globs over the normalised reference (see {@link ImageReference}): {@code *} matches any
 * run of characters, including {@code /} and {@code :}; {@code ?} matches exactly one character; every other
 * character matches itself (case-sensitive). A pattern matches an image when it matches the whole of any of
 * its forms: the name {@code host/repository}, the tagged form {@code host/repository:tag} (when tagged), or
 * the digest form {@code host/repository@sha256:...} (when pinned). So {@code docker.io/library/*} matches
 * every official Docker Hub image, {@code docker.io/library/nginx} matches nginx at any tag or digest,
 * {@code *:latest} matches every image tagged latest (including the implicit tag of {@code nginx}), and
 * {@code ghcr.io/acme/*} matches everything under that namespace.
 */
public record ImagePolicy(List<String> allowedRegistries, List<String> allowedPatterns, List<String> blockedPatterns,
                          boolean requireDigest) {

  public ImagePolicy {
    allowedRegistries = List.copyOf(allowedRegistries);
    allowedPatterns = List.copyOf(allowedPatterns);
    blockedPatterns = List.copyOf(blockedPatterns);
  }

  /** Allows everything. */
  public static final ImagePolicy OPEN = new ImagePolicy(List.of(), List.of(), List.of(), false);

  /** Null when {@code image} may run; otherwise the rule that failed, as a sentence naming it. */
  public String violation(ImageReference image) {
    if (!allowedRegistries.isEmpty() && !allowedRegistries.contains(image.registry())) {
      return "registry " + image.registry() + " is not in allowed_registries " + allowedRegistries;
    }
    for (String pattern : blockedPatterns) {
      if (matches(pattern, image)) {
        return "image " + image.canonical() + " matches blocked pattern '" + pattern + "'";
      }
    }
    if (!allowedPatterns.isEmpty() && allowedPatterns.stream().noneMatch(pattern -> matches(pattern, image))) {
      return "image " + image.canonical() + " matches none of allowed_patterns " + allowedPatterns;
    }
    if (requireDigest && image.digest() == null) {
      return "a digest is required (require_digest): pin the image as " + image.name() + "@sha256:<digest>";
    }
    return null;
  }

  /** Whether {@code pattern} matches any form of {@code image} (see the class comment). */
  public static boolean matches(String pattern, ImageReference image) {
    return forms(image).stream().anyMatch(form -> glob(pattern, form));
  }

  static List<String> forms(ImageReference image) {
    List<String> forms = new ArrayList<>(3);
    forms.add(image.name());
    if (image.tag() != null) {
      forms.add(image.name() + ":" + image.tag());
    }
    if (image.digest() != null) {
      forms.add(image.name() + "@" + image.digest());
    }
    return forms;
  }

  /**
   * Whole-string glob match ({@code *} any run, {@code ?} one character) in O(pattern x text) time without
   * recursion: patterns are tenant input, so no regular expression that could backtrack exponentially.
   */
  static boolean glob(String pattern, String text) {
    int p = 0;
    int t = 0;
    int star = -1;
    int resume = 0;
    while (t < text.length()) {
      if (p < pattern.length() && (pattern.charAt(p) == '?' || (pattern.charAt(p) != '*' && pattern.charAt(p) == text.charAt(t)))) {
        p++;
        t++;
      } else if (p < pattern.length() && pattern.charAt(p) == '*') {
        star = p++;
        resume = t;
      } else if (star >= 0) {
        p = star + 1;
        t = ++resume;
      } else {
        return false;
      }
    }
    while (p < pattern.length() && pattern.charAt(p) == '*') {
      p++;
    }
    return p == pattern.length();
  }
}
