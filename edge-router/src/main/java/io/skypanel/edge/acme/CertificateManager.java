package io.skypanel.edge.acme;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.skypanel.common.Platform;
import io.skypanel.common.events.Topics;
import io.skypanel.edge.acme.DomainCertificateRepository.DomainCertificate;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.KeyPair;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Obtains and renews certificates for verified custom domains. Runs in every edge replica; a Redis lease per
 * hostname ({@link HostLock}) makes one replica order a given name at a time, a shared hourly budget
 * ({@link OrderBudget}) caps the account's orders, and failures back off exponentially ({@link RenewalPolicy}).
 *
 * <p>Every {@code SKYPANEL_ACME_POLL_MS} (and at once on {@link Topics#ROUTES_CHANGED}, e.g. a domain just got
 * verified) it takes the due domains from PostgreSQL and orders them one by one. acme4j blocks, so the order
 * runs on the {@code skypanel-acme} worker executor; database, Redis and events stay on this context.
 */
public final class CertificateManager {

  private static final Logger LOG = LoggerFactory.getLogger(CertificateManager.class);
  private static final int BATCH = 10;

  /** What one poll did with a due domain. */
  public enum Outcome { ISSUED, FAILED, DEFERRED, LOCKED, NOT_DUE }

  private final Vertx vertx;
  private final Platform platform;
  private final AcmeOptions options;
  private final ChallengeStore challenges;
  private final HostLock locks;
  private final DomainCertificateRepository domains = new DomainCertificateRepository();
  private final WorkerExecutor worker;
  private final MeterRegistry registry;
  private AcmeClient client;
  private OrderBudget budget;
  private long timer = -1;
  private volatile boolean stopped;
  private Future<Map<String, Outcome>> running;
  private Promise<Map<String, Outcome>> queued;

  public CertificateManager(Vertx vertx, Platform platform, AcmeOptions options, ChallengeStore challenges) {
    this.vertx = vertx;
    this.platform = platform;
    this.options = options;
    this.challenges = challenges;
    this.locks = new HostLock(platform.redisApi(), platform.redisPrefix(), options.lockTtl());
    this.worker = vertx.createSharedWorkerExecutor("skypanel-acme", 2,
        options.orderTimeout().toMillis() * 4, TimeUnit.MILLISECONDS);
    this.registry = platform.metrics().registry();
  }

  /**
   * Loads (or creates) the account key, then polls now, on every route change, when a lost event subscription is
   * back (route changes may have been missed) and periodically.
   */
  public Future<Void> start() {
    platform.events().onReconnect(v -> {
      if (!stopped) {
        poll();
      }
    });
    return open().compose(v -> platform.events().subscribe(Topics.ROUTES_CHANGED, event -> poll())).onSuccess(v -> {
      timer = vertx.setPeriodic(options.pollMs(), id -> poll());
      poll();
    });
  }

  public Future<Void> stop() {
    stopped = true;
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    return worker.close();
  }

  /** Loads (or creates) the account key; afterwards {@link #poll} works, but nothing triggers it yet. */
  Future<Void> open() {
    return AcmeAccountKey.load(platform.pool(), platform.secrets()).map(accountKey -> {
      synchronized (this) {
        client = new AcmeClient(options, accountKey);
        budget = new OrderBudget(platform.redisApi(), platform.redisPrefix(), accountId(accountKey), options.ordersPerHour());
      }
      return null;
    });
  }

  /**
   * Orders every due domain (at most a batch) and reports what happened to each. Polls never overlap: one asked
   * for while another runs is done once, right after it.
   */
  public synchronized Future<Map<String, Outcome>> poll() {
    if (client == null) {
      return Future.failedFuture(new IllegalStateException("the certificate manager is not started"));
    }
    if (running == null) {
      running = pollOnce().andThen(done -> finished());
      return running;
    }
    if (queued == null) {
      queued = Promise.promise();
    }
    return queued.future();
  }

  private synchronized void finished() {
    running = null;
    if (queued != null) {
      Promise<Map<String, Outcome>> next = queued;
      queued = null;
      running = pollOnce().andThen(done -> finished());
      running.onComplete(next);
    }
  }

  private Future<Map<String, Outcome>> pollOnce() {
    Map<String, Outcome> outcomes = new LinkedHashMap<>();
    return domains.due(platform.pool(), BATCH).compose(due -> {
      Future<Void> chain = Future.succeededFuture();
      for (DomainCertificate domain : due) {
        chain = chain.compose(v -> process(domain)
            .recover(err -> {
              LOG.warn("certificate work for {} failed: {}", domain.hostname(), err.getMessage());
              return Future.succeededFuture(Outcome.FAILED);
            })
            .map(outcome -> {
              outcomes.put(domain.hostname(), outcome);
              return null;
            }));
      }
      return chain.map(outcomes);
    }).onFailure(err -> LOG.warn("certificate poll failed: {}", err.getMessage()));
  }

  private Future<Outcome> process(DomainCertificate candidate) {
    return locks.tryAcquire(candidate.hostname()).compose(lease -> {
      if (lease == null) {
        return Future.succeededFuture(Outcome.LOCKED);
      }
      // re-read under the lease: another replica may have finished this name since our query
      return domains.byId(platform.pool(), candidate.id())
          .compose(domain -> domain == null || !RenewalPolicy.needsOrder(domain.status(), domain.nextAttemptAt(),
              domain.notBefore(), domain.notAfter(), Instant.now())
              ? Future.succeededFuture(Outcome.NOT_DUE)
              : budgeted(domain))
          .eventually(() -> locks.release(lease).recover(err -> {
            // the lease expires on its own; the outcome of this attempt stands
            LOG.warn("could not release the ACME lease of domain {}: {}", candidate.id(), err.getMessage(), err);
            return Future.succeededFuture();
          }));
    });
  }

  private Future<Outcome> budgeted(DomainCertificate domain) {
    Instant now = Instant.now();
    return budget.take(now).compose(granted -> {
      if (!granted) {
        count("deferred");
        return domains.deferred(platform.pool(), domain.id(), OrderBudget.nextWindow(now),
                "waiting for the ACME order budget (" + options.ordersPerHour() + " per hour)")
            .map(Outcome.DEFERRED);
      }
      return domains.started(platform.pool(), domain.id()).compose(v -> order(domain));
    });
  }

  private Future<Outcome> order(DomainCertificate domain) {
    String hostname = domain.hostname();
    LOG.info("ordering a certificate for {} ({})", hostname, options.challenge());
    Future<AcmeClient.PendingOrder> prepared = worker.executeBlocking(() -> client.prepare(hostname), false);
    Future<AcmeClient.IssuedCertificate> issued = prepared
        .compose(pending -> publish(pending.responses()).map(pending))
        .compose(pending -> worker.executeBlocking(() -> client.complete(pending), false));
    return issued
        .compose(certificate -> store(domain, certificate))
        .recover(err -> fail(domain, err))
        .eventually(() -> prepared.succeeded() ? unpublish(prepared.result().responses()) : Future.succeededFuture());
  }

  private Future<Outcome> store(DomainCertificate domain, AcmeClient.IssuedCertificate certificate) {
    String sealed = platform.secrets().encrypt(certificate.privateKeyPem());
    return domains.issued(platform.pool(), domain.id(), certificate.issuer(), certificate.notBefore(), certificate.notAfter(),
            certificate.chainPem(), sealed)
        .compose(v -> platform.events().publish(Topics.CERTIFICATES_CHANGED, new JsonObject().put("hostname", domain.hostname()))
            .otherwise(err -> {
              LOG.warn("could not announce the new certificate of {}; replicas pick it up on resync: {}", domain.hostname(), err.getMessage());
              return 0;
            }))
        .map(v -> {
          count("issued");
          LOG.info("certificate for {} issued by {}, valid until {}", domain.hostname(), certificate.issuer(), certificate.notAfter());
          return Outcome.ISSUED;
        });
  }

  private Future<Outcome> fail(DomainCertificate domain, Throwable err) {
    AcmeFailure failure = AcmeFailure.of(err);
    Instant next = options.policy().nextAttempt(domain.attempts(), Instant.now());
    if (failure.retryAfter() != null && failure.retryAfter().isAfter(next)) {
      next = failure.retryAfter();
    }
    count("failed");
    LOG.warn("certificate order for {} failed (attempt {}), next try at {}: {}", domain.hostname(), domain.attempts() + 1, next, failure.reason());
    return domains.failed(platform.pool(), domain.id(), failure.reason(), domain.attempts() + 1, next).map(Outcome.FAILED);
  }

  private Future<Void> publish(List<AcmeClient.ChallengeResponse> responses) {
    return Future.all(responses.stream().map(response -> response instanceof AcmeClient.Http01Response http
        ? challenges.putHttp01(http.token(), http.keyAuthorization())
        : challenges.putAlpn(((AcmeClient.AlpnResponse) response).hostname(), ((AcmeClient.AlpnResponse) response).certificate())
    ).toList()).mapEmpty();
  }

  private Future<Void> unpublish(List<AcmeClient.ChallengeResponse> responses) {
    return Future.join(responses.stream().map(response -> response instanceof AcmeClient.Http01Response http
        ? challenges.removeHttp01(http.token())
        : challenges.removeAlpn(((AcmeClient.AlpnResponse) response).hostname())
    ).toList()).<Void>mapEmpty().recover(err -> {
      // stale challenge responses expire with their keys; the order's outcome stands
      LOG.warn("could not remove every ACME challenge response: {}", err.getMessage(), err);
      return Future.succeededFuture();
    });
  }

  private void count(String outcome) {
    Counter.builder("skypanel.edge.acme.orders").description("ACME certificate orders by outcome (issued, failed, deferred)")
        .tag("outcome", outcome).register(registry).increment();
  }

  /** A short stable id of the account: the directory and the key's public half. */
  private String accountId(KeyPair key) {
    try {
      java.security.MessageDigest digest = java.security.MessageDigest.getInstance("SHA-256");
      digest.update(options.directory().getBytes(java.nio.charset.StandardCharsets.UTF_8));
      digest.update(key.getPublic().getEncoded());
      return java.util.HexFormat.of().formatHex(digest.digest(), 0, 8);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
