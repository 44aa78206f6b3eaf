package io.skypanel.edge.observability;

import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One JSON line per request on the {@code skypanel.edge.access} logger (route it to its own appender or drop it). */
public final class AccessLog {

  private static final Logger LOG = LoggerFactory.getLogger("skypanel.edge.access");

  private AccessLog() {
  }

  public static boolean enabled() {
    return LOG.isInfoEnabled();
  }

  public static void write(JsonObject entry) {
    LOG.info(entry.encode());
  }
}
