package io.skypanel.common.config;

import io.vertx.config.ConfigRetriever;
import io.vertx.config.ConfigRetrieverOptions;
import io.vertx.config.ConfigStoreOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Loads the platform settings once at start: the documented defaults in {@code conf/skypanel.properties}
 * (shipped in the jar, or a file named by {@code SKYPANEL_CONFIG}), then environment variables, then
 * system properties; later sources win. Keys are the environment variable names themselves, so an
 * operator overrides any default by exporting the key it documents.
 */
public final class PlatformConfig {

  /** Classpath location of the defaults, copied from the top-level {@code conf/} directory at build. */
  public static final String DEFAULTS_RESOURCE = "conf/skypanel.properties";

  private PlatformConfig() {
  }

  /** Reads every source once; the retriever is closed afterwards because settings are not hot-reloaded. */
  public static Future<Settings> load(Vertx vertx) {
    return load(vertx, new JsonObject());
  }

  /**
   * Reads every source once and applies {@code overrides} last. Tests and the launcher use overrides
   * for values they compute (free ports, embedded database URLs).
   */
  public static Future<Settings> load(Vertx vertx, JsonObject overrides) {
    ConfigRetrieverOptions options = new ConfigRetrieverOptions().setScanPeriod(0)
        .setIncludeDefaultStores(false)
        .addStore(defaultsStore())
        .addStore(new ConfigStoreOptions().setType("env").setConfig(new JsonObject().put("raw-data", true)))
        .addStore(new ConfigStoreOptions().setType("sys").setConfig(new JsonObject().put("raw-data", true)))
        .addStore(new ConfigStoreOptions().setType("json").setConfig(overrides));
    ConfigRetriever retriever = ConfigRetriever.create(vertx, options);
    return retriever.getConfig()
        .map(Settings::new)
        .andThen(done -> retriever.close());
  }

  private static ConfigStoreOptions defaultsStore() {
    String file = System.getenv("SKYPANEL_CONFIG");
    if (file != null && !file.isBlank() && Files.isRegularFile(Path.of(file))) {
      return new ConfigStoreOptions().setType("file").setFormat("properties")
          .setConfig(new JsonObject().put("path", file).put("raw-data", true));
    }
    // the file store falls back to the classpath when the path is not a file on disk
    return new ConfigStoreOptions().setType("file").setFormat("properties")
        .setConfig(new JsonObject().put("path", DEFAULTS_RESOURCE).put("raw-data", true));
  }
}
