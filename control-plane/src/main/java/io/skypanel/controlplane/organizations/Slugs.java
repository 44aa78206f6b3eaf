package io.skypanel.controlplane.organizations;

import io.skypanel.common.auth.Digests;

import java.text.Normalizer;
import java.util.Locale;

/** Derives DNS-safe organization slugs (they become part of default hostnames). */
public final class Slugs {

  private static final int MAX = 63;

  private Slugs() {
  }

  /** "Ada's Café Ltd." becomes "adas-cafe-ltd"; text with no usable letters becomes "org". */
  public static String from(String text) {
    String ascii = Normalizer.normalize(text, Normalizer.Form.NFKD).replaceAll("\\p{M}", "");
    String slug = ascii.toLowerCase(Locale.ROOT).replace("'", "").replaceAll("[^a-z0-9]+", "-").replaceAll("^-+|-+$", "");
    if (slug.length() > MAX - 7) {
      slug = slug.substring(0, MAX - 7).replaceAll("-+$", "");
    }
    return slug.isEmpty() ? "org" : slug;
  }

  /** The base with a short random suffix, for when the base is taken. */
  public static String withSuffix(String base) {
    String suffix = Digests.randomToken(4).toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "x").substring(0, 5);
    return base + "-" + suffix;
  }
}
