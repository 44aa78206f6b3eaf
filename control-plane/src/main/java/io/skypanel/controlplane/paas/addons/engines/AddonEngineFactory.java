package io.skypanel.controlplane.paas.addons.engines;

import java.util.List;

/** Builds the engines the platform offers from its configured images ({@link AddonImages}). */
public final class AddonEngineFactory {

  private AddonEngineFactory() {
  }

  /** PostgreSQL, MySQL (MariaDB) and Redis; a service without a configured version offers none ({@code image} is null). */
  public static AddonEngines create(AddonImages images) {
    return new AddonEngines(List.of(new PostgresEngine(images), new MariadbEngine(images), new RedisEngine(images)));
  }
}
