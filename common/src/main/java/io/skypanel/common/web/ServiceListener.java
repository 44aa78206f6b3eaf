package io.skypanel.common.web;

import io.skypanel.common.config.Settings;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;

/** Starts an HTTP listener on the configured bind host and a port setting; port 0 picks a free port (tests). */
public final class ServiceListener {

  private ServiceListener() {
  }

  public static Future<HttpServer> listen(Vertx vertx, Settings settings, String portKey, int defaultPort, Router router) {
    HttpServerOptions options = new HttpServerOptions()
        .setHost(settings.string("SKYPANEL_BIND_HOST", "0.0.0.0"))
        .setPort(settings.integer(portKey, defaultPort))
        .setCompressionSupported(true)
        .setIdleTimeout(120);
    return vertx.createHttpServer(options).requestHandler(router).listen()
        .recover(err -> Future.failedFuture(new IllegalStateException(
            "cannot listen on " + options.getHost() + ":" + options.getPort() + " (" + portKey + "): " + err.getMessage(), err)));
  }
}
