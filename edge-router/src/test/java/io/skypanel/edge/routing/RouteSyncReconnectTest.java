package io.skypanel.edge.routing;

import io.skypanel.common.events.Topics;
import io.skypanel.common.testing.Eventually;
import io.skypanel.common.testing.RedisProcess;
import io.skypanel.edge.testing.EdgeServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A real edge router on a Redis of the test's own, which is killed and started again on the same port: a route
 * created while Redis was down and one announced after it came back both reach the edge within seconds, not with
 * the periodic resync (set to 10 minutes here, so only the resubscription can explain them).
 */
class RouteSyncReconnectTest {

  private static final Logger LOG = LoggerFactory.getLogger(RouteSyncReconnectTest.class);
  private static final Duration WITHIN = Duration.ofSeconds(5);

  private Vertx vertx;
  private RedisProcess redis;
  private HttpServer upstream;
  private EdgeServer edge;
  private WebClient client;
  private UUID organization;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    redis = RedisProcess.start();
    upstream = await(vertx.createHttpServer().requestHandler(request -> request.response().end("upstream")).listen(0, "127.0.0.1"));
    edge = await(EdgeServer.start(vertx, new JsonObject()
        .put("REDIS_URL", redis.url())
        .put("SKYPANEL_EDGE_RESYNC_MS", "600000")));
    client = WebClient.create(vertx);
    organization = (UUID) edge.queryValue("INSERT INTO organizations (name, slug) VALUES ('Reconnect', ?) RETURNING id",
        "reconnect-" + UUID.randomUUID().toString().substring(0, 8));
  }

  @AfterEach
  void stop() throws Exception {
    try {
      if (client != null) {
        client.close();
      }
      if (edge != null) {
        await(edge.stop(vertx));
      }
    } finally {
      redis.close();
      await(vertx.close());
    }
  }

  @Test
  void routes_changed_during_and_after_a_redis_restart_reach_the_edge_within_seconds() throws Exception {
    String before = hostname("before");
    announce(container(before));
    Eventually.await(before + " routed", WITHIN, () -> status(before) == 200 ? true : null);

    redis.kill();
    Eventually.await("the edge noticing the lost subscription", WITHIN, () -> edge.platform().events().subscribed() ? null : true);
    // no event can announce this one: Redis is down
    String during = hostname("during");
    container(during);
    assertThat(status(during)).isEqualTo(404);
    redis.restart();
    long restarted = System.nanoTime();

    Eventually.await(during + " routed after the reconnect reload", WITHIN, () -> status(during) == 200 ? true : null);
    long reloadMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - restarted);

    String after = hostname("after");
    UUID afterId = container(after);
    long announced = System.nanoTime();
    int receivers = Eventually.await("routes.changed published", WITHIN, () -> announce(afterId));
    Eventually.await(after + " routed by its event", WITHIN, () -> status(after) == 200 ? true : null);
    long eventMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - announced);
    LOG.info("after the Redis restart: route created during the outage served in {} ms, route announced afterwards in {} ms",
        reloadMs, eventMs);
    assertThat(receivers).as("the edge's subscription receives events again").isGreaterThanOrEqualTo(1);
  }

  private static String hostname(String label) {
    return label + "-" + UUID.randomUUID().toString().substring(0, 8) + ".apps.test";
  }

  /** A running container whose default domain is {@code hostname}, its one public port served by the upstream. */
  private UUID container(String hostname) {
    JsonArray ports = new JsonArray().add(new JsonObject().put("container_port", 80).put("protocol", "tcp").put("public", true));
    JsonArray endpoints = new JsonArray().add(new JsonObject().put("container_port", 80).put("protocol", "tcp")
        .put("address", "127.0.0.1").put("port", upstream.actualPort()));
    return (UUID) edge.queryValue("INSERT INTO paas_containers (organization_id, name, image_ref, cpu, memory_mb, status, "
            + "default_domain, ports, endpoints) VALUES (?, ?, 'registry.invalid/web@sha256:0', 1, 128, 'running', ?, ?::jsonb, ?::jsonb) "
            + "RETURNING id", organization, hostname.substring(0, hostname.indexOf('.')), hostname, ports.encode(), endpoints.encode());
  }

  private Integer announce(UUID container) throws Exception {
    return await(edge.platform().events().publish(Topics.ROUTES_CHANGED, new JsonObject().put("container_id", container.toString())));
  }

  private int status(String hostname) throws Exception {
    return await(client.get(edge.httpPort(), "127.0.0.1", "/").virtualHost(hostname).send()).statusCode();
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
