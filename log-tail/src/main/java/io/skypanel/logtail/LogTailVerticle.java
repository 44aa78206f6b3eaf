package io.skypanel.logtail;

import io.skypanel.common.Platform;
import io.skypanel.common.ServiceVerticle;
import io.skypanel.common.web.ServiceRouters;
import io.skypanel.common.web.ServiceListener;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;

import java.util.List;

/**
 * The log service's listener (live and past logs of apps and containers). This wave serves its
 * health endpoints; log streams arrive with the console-and-logs work.
 */
public final class LogTailVerticle extends ServiceVerticle {

  public static final String NAME = "log-tail";

  private final Platform platform;
  private HttpServer server;

  public LogTailVerticle(Platform platform) {
    this.platform = platform;
  }

  @Override
  public String serviceName() {
    return NAME;
  }

  @Override
  public Future<?> start() {
    Router router = ServiceRouters.seal(ServiceRouters.withHealth(platform, NAME));
    return ServiceListener.listen(vertx, platform.settings(), "SKYPANEL_LOGS_PORT", 8082, router)
        .onSuccess(s -> server = s);
  }

  @Override
  public List<String> endpoints() {
    return List.of("http://" + platform.settings().string("SKYPANEL_PUBLIC_HOST", "127.0.0.1") + ":" + server.actualPort());
  }
}
