package io.skypanel.controlplane.paas.addons.engines;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Which image serves each version of each add-on service, from {@code SKYPANEL_ADDON_IMAGES}: comma-separated
 * {@code service:version=image} entries, e.g. {@code postgresql:15=postgres:15,mysql:10.11=mariadb:10.11,redis:7=redis:7}
 * to run the official images. The default is the platform's own images built by {@code scripts/build-images.sh},
 * which follow the official images' conventions, so the two are interchangeable.
 */
public final class AddonImages {

  /** The setting's name. */
  public static final String SETTING = "SKYPANEL_ADDON_IMAGES";
  /** The local images (scripts/build-images.sh). */
  public static final String DEFAULTS =
      "postgresql:15=skypanel/addon-postgres:15,mysql:10.11=skypanel/addon-mariadb:10.11,redis:7=skypanel/addon-redis:7";

  private static final Pattern SERVICE = Pattern.compile("[a-z][a-z0-9-]*");
  private static final Pattern VERSION = Pattern.compile("[0-9A-Za-z][0-9A-Za-z._-]*");
  private static final Pattern IMAGE = Pattern.compile("[a-z0-9][a-z0-9._/:@-]*");

  private final Map<String, Map<String, String>> byService;

  private AddonImages(Map<String, Map<String, String>> byService) {
    this.byService = byService;
  }

  /**
   * Parses the setting; a malformed entry fails with a message naming the setting.
   *
   * @throws IllegalArgumentException on an entry that is not {@code service:version=image}
   */
  public static AddonImages parse(String setting) {
    Map<String, Map<String, String>> images = new LinkedHashMap<>();
    for (String raw : setting.split(",")) {
      String entry = raw.strip();
      if (entry.isEmpty()) {
        continue;
      }
      int eq = entry.indexOf('=');
      int colon = eq < 0 ? -1 : entry.substring(0, eq).indexOf(':');
      if (eq < 0 || colon < 0) {
        throw invalid(entry);
      }
      String service = entry.substring(0, colon).strip();
      String version = entry.substring(colon + 1, eq).strip();
      String image = entry.substring(eq + 1).strip();
      if (!SERVICE.matcher(service).matches() || !VERSION.matcher(version).matches() || !IMAGE.matcher(image).matches()) {
        throw invalid(entry);
      }
      images.computeIfAbsent(service, s -> new LinkedHashMap<>()).put(version, image);
    }
    return new AddonImages(images);
  }

  private static IllegalArgumentException invalid(String entry) {
    return new IllegalArgumentException(SETTING + " entries must be service:version=image, got '" + entry + "'");
  }

  /** The image of {@code service} at {@code version}, or null when that version is not offered. */
  public String image(String service, String version) {
    return byService.getOrDefault(service, Map.of()).get(version);
  }

  /** The versions offered of {@code service}, in the setting's order. */
  public Map<String, String> versions(String service) {
    return Collections.unmodifiableMap(byService.getOrDefault(service, Map.of()));
  }
}
