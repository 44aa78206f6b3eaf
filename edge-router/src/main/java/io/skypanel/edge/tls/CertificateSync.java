package io.skypanel.edge.tls;

import io.skypanel.common.crypto.SecretBox;
import io.skypanel.common.events.OrderedReloads;
import io.skypanel.common.events.PlatformEvents;
import io.skypanel.common.events.Topics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Keeps a {@link CertificateStore} equal to PostgreSQL: a full load at start, one hostname as soon as it is
 * announced on {@link Topics#CERTIFICATES_CHANGED}, everything as soon as a lost event subscription is back, and a
 * periodic full resync that repairs what a lost message left behind. Opening sealed keys and parsing PEM is CPU work, done on a worker executor.
 */
public final class CertificateSync {

  /** A certificate query stuck longer than this no longer holds later changes back (its late answer is dropped). */
  private static final Duration READ_LIMIT = Duration.ofSeconds(30);
  private static final Logger LOG = LoggerFactory.getLogger(CertificateSync.class);

  private final Vertx vertx;
  private final Pool pool;
  private final PlatformEvents events;
  private final SecretBox secrets;
  private final CertificateStore store;
  private final WorkerExecutor worker;
  private final CertificateRepository certificates = new CertificateRepository();
  /** Reloads apply in the order they were asked for: an older read finishing late must not bring back a replaced key. */
  private final OrderedReloads<String> reloads;
  private long timer = -1;
  private volatile boolean stopped;

  public CertificateSync(Vertx vertx, Pool pool, PlatformEvents events, SecretBox secrets, CertificateStore store, WorkerExecutor worker) {
    this.vertx = vertx;
    this.pool = pool;
    this.events = events;
    this.secrets = secrets;
    this.store = store;
    this.worker = worker;
    this.reloads = new OrderedReloads<>(vertx, READ_LIMIT);
  }

  /** Subscribes first, then loads, so no change between the two is missed. */
  public Future<Void> start(long resyncMs) {
    events.onReconnect(v -> {
      if (!stopped) {
        resync();
      }
    });
    return events.subscribe(Topics.CERTIFICATES_CHANGED, this::changed)
        .compose(v -> resync())
        .onSuccess(v -> timer = vertx.setPeriodic(resyncMs, resyncMs, id -> resync()));
  }

  public void stop() {
    stopped = true;
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
  }

  public Future<Void> resync() {
    return reloads.reloadAll(() -> certificates.all(pool).compose(rows -> worker.executeBlocking(() -> open(rows))),
            store::replaceAll)
        .onFailure(err -> LOG.warn("certificate resync failed; keeping the current certificates: {}", err.getMessage()));
  }

  /** Reloads one hostname (its certificate is new, replaced or gone). */
  public Future<Void> reload(String hostname) {
    return reloads.reload(hostname.toLowerCase(java.util.Locale.ROOT),
        () -> certificates.forHost(pool, hostname).compose(rows -> worker.executeBlocking(() -> open(rows))),
        opened -> {
          CertifiedKey key = opened.get(hostname.toLowerCase(java.util.Locale.ROOT));
          if (key == null) {
            store.remove(hostname);
          } else {
            store.put(hostname, key);
          }
        });
  }

  private void changed(JsonObject event) {
    String hostname = event.getString("hostname");
    if (hostname == null || hostname.isBlank()) {
      LOG.debug("ignoring a malformed certificate change: {}", event);
      return;
    }
    reload(hostname).onFailure(err -> LOG.warn("could not reload the certificate of {}: {}", hostname, err.getMessage()));
  }

  private Map<String, CertifiedKey> open(List<CertificateRepository.StoredCertificate> rows) {
    Map<String, CertifiedKey> opened = new HashMap<>();
    for (CertificateRepository.StoredCertificate row : rows) {
      try {
        opened.put(row.hostname(), CertifiedKey.fromPem(row.chainPem(), secrets.decryptToString(row.sealedKey())));
      } catch (RuntimeException e) {
        // one bad row must not take every other hostname's certificate down
        LOG.warn("the stored certificate of {} is unusable, presenting the default one: {}", row.hostname(), e.getMessage());
      }
    }
    return opened;
  }
}
