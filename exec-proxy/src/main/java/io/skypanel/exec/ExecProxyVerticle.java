package io.skypanel.exec;

import io.skypanel.common.Platform;
import io.skypanel.common.ServiceVerticle;
import io.skypanel.common.web.ServiceRouters;
import io.skypanel.common.web.ServiceListener;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;

import java.util.List;

/**
 * The console service's listener (WebSocket exec sessions into running containers). This wave serves its
 * health endpoints; console sessions arrive with the console-and-logs work.
 */
public final class ExecProxyVerticle extends ServiceVerticle {

  public static final String NAME = "exec-proxy";

  private final Platform platform;
  private HttpServer server;

  public ExecProxyVerticle(Platform platform) {
    this.platform = platform;
  }

  @Override
  public String serviceName() {
    return NAME;
  }

  @Override
  public Future<?> start() {
    Router router = ServiceRouters.seal(ServiceRouters.withHealth(platform, NAME));
    return ServiceListener.listen(vertx, platform.settings(), "SKYPANEL_EXEC_PORT", 8081, router)
        .onSuccess(s -> server = s);
  }

  @Override
  public List<String> endpoints() {
    return List.of("http://" + platform.settings().string("SKYPANEL_PUBLIC_HOST", "127.0.0.1") + ":" + server.actualPort());
  }
}
