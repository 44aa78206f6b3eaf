package io.skypanel.edge.acme;

import io.skypanel.common.Platform;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The edge's ACME side in one place for the verticle: the HTTP-01 responder in front of the proxy, the optional
 * TLS-ALPN-01 responder and the {@link CertificateManager}. With {@code SKYPANEL_ACME_DIRECTORY} empty it does
 * nothing: stored certificates are still served, none is ordered.
 */
public final class AcmeService {

  private static final Logger LOG = LoggerFactory.getLogger(AcmeService.class);

  private final Vertx vertx;
  private final Platform platform;
  private final AcmeOptions options;
  private final ChallengeStore challenges;
  private CertificateManager manager;
  private TlsAlpnChallengeServer alpnServer;

  public AcmeService(Vertx vertx, Platform platform) {
    this.vertx = vertx;
    this.platform = platform;
    this.options = AcmeOptions.from(platform.settings());
    this.challenges = new ChallengeStore(platform.redisApi(), platform.redisPrefix(), options.challengeTtl());
  }

  /** {@code next}, preceded by the HTTP-01 responder when ACME is on. */
  public Handler<HttpServerRequest> challenges(Handler<HttpServerRequest> next) {
    return options.enabled() ? new Http01ChallengeHandler(challenges, next) : next;
  }

  public Future<Void> start() {
    if (!options.enabled()) {
      LOG.info("ACME is off (SKYPANEL_ACME_DIRECTORY is empty): presenting stored certificates only");
      return Future.succeededFuture();
    }
    Future<?> alpn = Future.succeededFuture();
    if (options.tlsAlpnPort() > 0) {
      alpnServer = new TlsAlpnChallengeServer(vertx, challenges);
      alpn = alpnServer.listen(options.bindHost(), options.tlsAlpnPort());
    }
    manager = new CertificateManager(vertx, platform, options, challenges);
    return alpn.compose(v -> manager.start());
  }

  public Future<Void> stop() {
    Future<Void> managerStopped = manager == null ? Future.succeededFuture() : manager.stop();
    Future<Void> alpnStopped = alpnServer == null ? Future.succeededFuture() : alpnServer.close();
    return Future.join(managerStopped, alpnStopped).mapEmpty();
  }

  /** The manager, or null while ACME is off or not started. */
  public CertificateManager manager() {
    return manager;
  }

  public AcmeOptions options() {
    return options;
  }
}
