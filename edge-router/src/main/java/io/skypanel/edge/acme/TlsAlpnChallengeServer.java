package io.skypanel.edge.acme;

import io.skypanel.edge.tls.CertifiedKey;
import io.skypanel.edge.tls.SniNames;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.JdkSSLEngineOptions;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;
import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The TLS-ALPN-01 responder (RFC 8737): a TLS listener that negotiates only {@code acme-tls/1} and presents, for
 * the SNI name, the self-signed challenge certificate some replica stored in Redis. Vert.x's HTTP server cannot
 * negotiate {@code acme-tls/1}, hence a separate {@link NetServer}; a TCP balancer in front sends connections whose
 * ClientHello offers {@code acme-tls/1} here and all others to the HTTPS listener (see docs/operations.md).
 *
 * <p>The challenge certificate must be looked up per handshake in Redis, which is asynchronous, while a key
 * manager answers synchronously. Vert.x's SNI hook does the bridging: its server-name mapper runs on a worker
 * thread before the handshake proceeds (engine option {@code useWorkerThread}), reads Redis there and leaves the
 * result in memory for the key manager. The per-name SslContext Vert.x keeps is harmless: it holds this same key
 * manager, never a certificate.
 */
public final class TlsAlpnChallengeServer {

  private static final Logger LOG = LoggerFactory.getLogger(TlsAlpnChallengeServer.class);
  private static final long LOOKUP_TIMEOUT_MS = 3000;

  private final Vertx vertx;
  private final ChallengeStore challenges;
  private final Map<String, CertifiedKey> current = new ConcurrentHashMap<>();
  private NetServer server;

  public TlsAlpnChallengeServer(Vertx vertx, ChallengeStore challenges) {
    this.vertx = vertx;
    this.challenges = challenges;
  }

  public Future<NetServer> listen(String host, int port) {
    NetServerOptions options = new NetServerOptions().setHost(host).setPort(port)
        .setSsl(true).setUseAlpn(true).setSni(true)
        .setSslEngineOptions(new JdkSSLEngineOptions().setUseWorkerThread(true))
        .setSslHandshakeTimeout(10).setSslHandshakeTimeoutUnit(TimeUnit.SECONDS)
        .setKeyCertOptions(new ChallengeKeyCertOptions());
    options.getSslOptions().setApplicationLayerProtocols(List.of("acme-tls/1"));
    // the validator only needs the handshake; nothing is ever read or written
    return vertx.createNetServer(options).connectHandler(socket -> socket.close()).listen()
        .onSuccess(s -> {
          server = s;
          LOG.info("TLS-ALPN-01 responder on {}:{}", host, s.actualPort());
        });
  }

  public int actualPort() {
    return server == null ? 0 : server.actualPort();
  }

  public Future<Void> close() {
    return server == null ? Future.succeededFuture() : server.close();
  }

  /** Runs on a worker thread (see the class comment): blocking on Redis here stalls no event loop. */
  private KeyManagerFactory lookup(String serverName, KeyManagerFactory factory) {
    String name = serverName.toLowerCase(Locale.ROOT);
    try {
      ChallengeStore.AlpnCertificate found = challenges.alpn(name).toCompletionStage().toCompletableFuture()
          .get(LOOKUP_TIMEOUT_MS, TimeUnit.MILLISECONDS);
      if (found == null) {
        current.remove(name);
      } else {
        current.put(name, CertifiedKey.fromPem(found.certificatePem(), found.privateKeyPem()));
      }
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      LOG.warn("cannot read the TLS-ALPN-01 challenge of {}: {}", name, e.getMessage());
      current.remove(name);
    }
    return factory;
  }

  /** Key material for the responder: one dynamic key manager, refreshed from Redis per handshake. */
  private final class ChallengeKeyCertOptions implements KeyCertOptions {

    private final KeyCertOptions wrapped = KeyCertOptions.wrap(new ChallengeKeyManager());

    @Override
    public KeyCertOptions copy() {
      return this;
    }

    @Override
    public KeyManagerFactory getKeyManagerFactory(Vertx vertx) throws Exception {
      return wrapped.getKeyManagerFactory(vertx);
    }

    @Override
    public Function<String, KeyManagerFactory> keyManagerFactoryMapper(Vertx vertx) throws Exception {
      KeyManagerFactory factory = wrapped.getKeyManagerFactory(vertx);
      return serverName -> lookup(serverName, factory);
    }
  }

  /** Presents the challenge certificate of the handshake's SNI name; nothing without one. */
  private final class ChallengeKeyManager extends X509ExtendedKeyManager {

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
      String name = engine == null ? null : SniNames.requested(engine.getHandshakeSession());
      CertifiedKey key = name == null ? null : current.get(name.toLowerCase(Locale.ROOT));
      return key != null && key.keyType().equals(keyType) ? name.toLowerCase(Locale.ROOT) : null;
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
      CertifiedKey key = current.get(alias);
      return key == null ? null : key.chain().clone();
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
      CertifiedKey key = current.get(alias);
      return key == null ? null : key.privateKey();
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
      return null;
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
      return null;
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
      return null;
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
      return null;
    }
  }
}
