package io.skypanel.controlplane.paas.addons;

import java.util.Collection;
import java.util.Locale;

/**
 * Heroku's naming of an add-on's URL variable: the first add-on of a kind in an app takes the engine's classic
 * name ({@code DATABASE_URL}); another of the same kind takes {@code <NAME>_URL} from its own name.
 */
public final class AddonVariables {

  /** Where attached tasks find the URL as a file (a Swarm secret). */
  public static final String FILE_DIR = "/run/secrets/";
  public static final String FILE_SUFFIX = "_FILE";

  private AddonVariables() {
  }

  public static String choose(String classic, String addonName, Collection<String> takenInApp) {
    if (!takenInApp.contains(classic)) {
      return classic;
    }
    return addonName.toUpperCase(Locale.ROOT).replace('-', '_') + "_URL";
  }
}
