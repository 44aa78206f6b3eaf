package io.skypanel.edge;

import io.skypanel.common.Platform;
import io.skypanel.common.ServiceVerticle;
import io.skypanel.common.config.Settings;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SelfSignedCertificate;

import java.util.List;

/**
 * The platform's front door: plain HTTP and HTTPS listeners for every app and container hostname.
 * Until routes exist (edge-router wave) every Host is unknown and answered with a 404 that touches no
 * upstream. HTTPS starts with a self-signed fallback certificate; ACME certificates replace it per SNI name.
 */
public final class EdgeRouterVerticle extends ServiceVerticle {

  public static final String NAME = "edge-router";

  private final Platform platform;
  private HttpServer plainServer;
  private HttpServer tlsServer;

  public EdgeRouterVerticle(Platform platform) {
    this.platform = platform;
  }

  @Override
  public String serviceName() {
    return NAME;
  }

  @Override
  public Future<?> start() {
    Settings settings = platform.settings();
    String host = settings.string("SKYPANEL_BIND_HOST", "0.0.0.0");
    HttpServerOptions plain = new HttpServerOptions().setHost(host).setPort(settings.integer("SKYPANEL_HTTP_PORT", 8000));
    SelfSignedCertificate fallback = SelfSignedCertificate.create("skypanel.invalid");
    HttpServerOptions tls = new HttpServerOptions().setHost(host).setPort(settings.integer("SKYPANEL_HTTPS_PORT", 8443))
        .setSsl(true).setUseAlpn(true).setKeyCertOptions(fallback.keyCertOptions());
    return Future.all(listen(plain).onSuccess(s -> plainServer = s), listen(tls).onSuccess(s -> tlsServer = s));
  }

  private Future<HttpServer> listen(HttpServerOptions options) {
    return vertx.createHttpServer(options).requestHandler(this::unknownHost).listen()
        .recover(err -> Future.failedFuture(new IllegalStateException(
            "edge router cannot listen on " + options.getHost() + ":" + options.getPort() + ": " + err.getMessage(), err)));
  }

  private void unknownHost(HttpServerRequest request) {
    request.response().setStatusCode(404)
        .putHeader("Content-Type", "text/plain; charset=utf-8")
        .end("404 no application is configured for this hostname\n");
  }

  @Override
  public List<String> endpoints() {
    String host = platform.settings().string("SKYPANEL_PUBLIC_HOST", "127.0.0.1");
    return List.of("http://" + host + ":" + plainServer.actualPort(), "https://" + host + ":" + tlsServer.actualPort());
  }
}
