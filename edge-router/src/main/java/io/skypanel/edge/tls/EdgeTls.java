package io.skypanel.edge.tls;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.skypanel.common.Platform;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.JdkSSLEngineOptions;
import io.vertx.core.net.KeyCertOptions;

import java.util.List;

/**
 * HTTPS for every hostname on one listener: a {@link CertificateStore} kept equal to PostgreSQL by
 * {@link CertificateSync}, presented per handshake by {@link SniKeyManager}. Vert.x's own SNI support is left off
 * on purpose: it builds and caches one SslContext per name, while this key manager serves any number of names
 * from one context and sees a new certificate on the very next handshake.
 *
 * <p>Settings: {@code SKYPANEL_EDGE_DEFAULT_CERT_FILE}, {@code SKYPANEL_EDGE_DEFAULT_KEY_FILE} (default certificate,
 * else self-signed), {@code SKYPANEL_EDGE_CERT_RESYNC_MS} (full reload period, default 60000).
 */
public final class EdgeTls {

  private final Platform platform;
  private final CertificateStore store;
  private final SniKeyManager keyManager;
  private final WorkerExecutor worker;
  private final CertificateSync sync;

  /** Ready to be wired (e.g. {@link #hasCertificate} into the proxy); presents nothing before {@link #start}. */
  public EdgeTls(Vertx vertx, Platform platform) {
    this.platform = platform;
    this.store = new CertificateStore();
    this.keyManager = new SniKeyManager(store);
    this.worker = vertx.createSharedWorkerExecutor("skypanel-edge-tls", 1);
    this.sync = new CertificateSync(vertx, platform.pool(), platform.events(), platform.secrets(), store, worker);
    expiryGauge(platform.metrics().registry(), store);
  }

  /**
   * Makes {@code options} an HTTPS listener presenting this store's certificates: TLS on the JDK engine (whose
   * handshake session exposes the requested server name to the key manager), ALPN for HTTP/2.
   */
  public HttpServerOptions secure(HttpServerOptions options) {
    return secure(options, keyManager);
  }

  static HttpServerOptions secure(HttpServerOptions options, SniKeyManager keyManager) {
    return options.setSsl(true).setUseAlpn(true).setSni(false)
        .setSslEngineOptions(new JdkSSLEngineOptions())
        .setKeyCertOptions(KeyCertOptions.wrap(keyManager));
  }

  /**
   * Loads the default certificate (a file read or a key generation, so on the worker) and every stored one,
   * then follows changes. Fails when the operator's default certificate files are unusable.
   */
  public Future<Void> start() {
    return worker.executeBlocking(() -> DefaultCertificate.load(platform.settings()))
        .compose(defaultCertificate -> {
          store.setDefault(defaultCertificate);
          return sync.start(platform.settings().longValue("SKYPANEL_EDGE_CERT_RESYNC_MS", 60000));
        });
  }

  public Future<Void> stop() {
    sync.stop();
    return worker.close();
  }

  /** Whether HTTPS for {@code host} (no port) presents a certificate of its own (for redirects and HSTS). */
  public boolean hasCertificate(String host) {
    return store.hasCertificate(host);
  }

  public CertificateStore store() {
    return store;
  }

  public CertificateSync sync() {
    return sync;
  }

  /** {@code skypanel_edge_certificate_not_after_seconds{host}}: when each hostname's certificate expires. */
  private static void expiryGauge(MeterRegistry registry, CertificateStore store) {
    MultiGauge gauge = MultiGauge.builder("skypanel.edge.certificate.not.after").baseUnit("seconds")
        .description("End of validity (Unix time) of the certificate the edge presents for a hostname")
        .register(registry);
    store.onChange(() -> {
      List<MultiGauge.Row<?>> rows = store.expiries().entrySet().stream()
          .<MultiGauge.Row<?>>map(e -> MultiGauge.Row.of(Tags.of("host", e.getKey()), e.getValue().getEpochSecond()))
          .toList();
      gauge.register(rows, true);
    });
  }
}
