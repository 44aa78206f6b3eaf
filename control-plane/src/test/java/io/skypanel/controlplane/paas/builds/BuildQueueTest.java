package io.skypanel.controlplane.paas.builds;

import io.skypanel.common.db.Database;
import io.skypanel.common.testing.Eventually;
import io.skypanel.controlplane.support.ApiClient;
import io.skypanel.controlplane.support.ApiTestBase;
import io.skypanel.controlplane.support.Await;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The durable build queue on the real PostgreSQL: fairness, limits, cancellation, lease expiry and two dispatchers
 * on one database. The builder is replaced by a recording runner, since what is under test is which build starts
 * when (the real service runs through the same queue in BuildsApiTest and GitPushDeployTest).
 */
class BuildQueueTest extends ApiTestBase {

  private static final String DIGEST = "sha256:" + "0".repeat(64);
  private static final Duration WAIT = Duration.ofSeconds(20);
  /** The queues' lease, also given to builds as they are queued (as the control plane does): a queued build whose
   * worker dies before its first heartbeat must expire as soon as a claimed one. */
  private static final Duration LEASE = Duration.ofSeconds(2);

  private final BuildRepository builds = new BuildRepository();
  private final List<BuildQueue> queues = new ArrayList<>();

  /** A runner that records every start and holds the build until the test ends it. */
  private final class Recording implements BuildQueue.Runner {
    final String owner;
    final List<UUID> started = new CopyOnWriteArrayList<>();
    final Map<UUID, Promise<Void>> held = new ConcurrentHashMap<>();
    final boolean hold;

    Recording(String owner, boolean hold) {
      this.owner = owner;
      this.hold = hold;
    }

    @Override
    public Future<Void> run(BuildRepository.Claim claim) {
      started.add(claim.buildId());
      if (!hold) {
        return succeed(owner, claim.buildId());
      }
      Promise<Void> release = Promise.promise();
      held.put(claim.buildId(), release);
      return release.future().compose(v -> succeed(owner, claim.buildId()));
    }

    void release(UUID id) {
      held.get(id).complete();
    }
  }

  @AfterEach
  void stopQueues() {
    queues.forEach(BuildQueue::stop);
    queues.clear();
  }

  @Test
  void two_orgs_builds_behind_a_global_limit_of_one_run_in_fair_order() {
    Target a = target("Fair A");
    Target b = target("Fair B");
    String owner = "fair-" + UUID.randomUUID();
    UUID a1 = queued(a, owner);
    UUID a2 = queued(a, owner);
    UUID a3 = queued(a, owner);
    UUID b1 = queued(b, owner);
    Recording runner = new Recording(owner, false);

    start(owner, 1, 1, runner, pool());

    Eventually.await("all four builds ran", WAIT, () -> runner.started.size() == 4 ? true : null);
    assertThat(runner.started).containsExactly(a1, b1, a2, a3);
    assertThat(statuses(a1, a2, a3, b1)).containsOnly("succeeded");
  }

  @Test
  void the_per_organization_limit_holds_an_organization_back_while_others_run() {
    Target a = target("Per-org A");
    Target b = target("Per-org B");
    String owner = "per-org-" + UUID.randomUUID();
    UUID a1 = queued(a, owner);
    UUID a2 = queued(a, owner);
    UUID b1 = queued(b, owner);
    Recording runner = new Recording(owner, true);

    start(owner, 1, 3, runner, pool());

    Eventually.await("a1 and b1 run", WAIT, () -> runner.started.size() == 2 ? true : null);
    assertThat(runner.started).containsExactlyInAnyOrder(a1, b1);
    // what the dispatcher would claim next for this owner: nothing, a2 waits for a1 although the global limit has room
    assertThat(Await.result(builds.claim(pool(), owner, 1, 3, Duration.ofSeconds(30)))).isNull();
    assertThat(statuses(a2)).containsExactly("queued");

    runner.release(a1);
    Eventually.await("a2 runs once a1 ended", WAIT, () -> runner.started.size() == 3 ? true : null);
    assertThat(runner.started.get(2)).isEqualTo(a2);
    runner.release(a2);
    runner.release(b1);
    Eventually.await("all ended", WAIT, () -> statuses(a1, a2, b1).stream().allMatch("succeeded"::equals) ? true : null);
  }

  @Test
  void a_cancelled_queued_build_never_runs() {
    Target a = target("Cancel A");
    String owner = "cancel-" + UUID.randomUUID();
    UUID first = queued(a, owner);
    UUID cancelled = queued(a, owner);
    UUID third = queued(a, owner);
    Recording runner = new Recording(owner, true);
    start(owner, 1, 1, runner, pool());
    Eventually.await("the first build runs", WAIT, () -> runner.started.size() == 1 ? true : null);

    assertThat(Await.result(builds.finish(pool(), cancelled, "cancelled", "cancelled by a test", null, null))).isTrue();
    runner.release(first);
    Eventually.await("the third build runs", WAIT, () -> runner.started.size() == 2 ? true : null);
    runner.release(third);

    Eventually.await("the third build ended", WAIT, () -> statuses(third).contains("succeeded") ? true : null);
    assertThat(runner.started).containsExactly(first, third);
    assertThat(server.text("SELECT status || ' ' || status_reason || ' ' || (started_at IS NULL) || ' ' || (finished_at IS NOT NULL)"
        + " FROM paas_builds WHERE id = '" + cancelled + "'")).isEqualTo("cancelled cancelled by a test true true");
  }

  @Test
  void two_dispatchers_never_run_the_same_build() {
    List<Target> orgs = List.of(target("Two A"), target("Two B"), target("Two C"));
    String first = "first-" + UUID.randomUUID();
    String second = "second-" + UUID.randomUUID();
    AtomicInteger runningNow = new AtomicInteger();
    AtomicInteger mostAtOnce = new AtomicInteger();
    List<UUID> runs = new CopyOnWriteArrayList<>();
    List<UUID> all = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      all.add(queued(orgs.get(i % 3), i % 2 == 0 ? first : second));
    }
    Vertx vertx = server.platform().vertx();

    for (String owner : List.of(first, second)) {
      start(owner, 2, 2, claim -> {
        runs.add(claim.buildId());
        mostAtOnce.accumulateAndGet(runningNow.incrementAndGet(), Math::max);
        Promise<Void> done = Promise.promise();
        // a short build, so the two dispatchers contend for the two slots many times
        vertx.setTimer(30, t -> {
          runningNow.decrementAndGet();
          succeed(owner, claim.buildId()).onComplete(done);
        });
        return done.future();
      }, pool());
    }

    Eventually.await("every build ran", WAIT, () -> statuses(all.toArray(UUID[]::new)).stream().allMatch("succeeded"::equals) ? true : null);
    assertThat(runs).hasSize(12).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(all);
    assertThat(mostAtOnce.get()).isBetween(1, 2);
  }

  @Test
  void a_build_killed_with_its_worker_is_not_left_building() {
    Target a = target("Crash A");
    String dead = "dead-" + UUID.randomUUID();
    UUID running = queued(a, dead);
    UUID waiting = queued(a, dead);
    Vertx crashed = Vertx.vertx();
    Pool crashedPool = Database.pool(crashed, server.database());
    Recording deadRunner = new Recording(dead, true);
    start(dead, 1, 1, deadRunner, crashed, crashedPool);
    Eventually.await("the doomed worker runs its build", WAIT, () -> deadRunner.started.size() == 1 ? true : null);
    assertThat(statuses(running, waiting)).containsExactly("building", "queued");

    // the control plane dies: no heartbeat, no end recorded
    Await.result(crashed.close());
    String live = "live-" + UUID.randomUUID();
    Recording liveRunner = new Recording(live, false);
    start(live, 1, 1, liveRunner, pool());

    Eventually.await("the sweeper failed both", WAIT, () -> statuses(running, waiting).stream().allMatch("failed"::equals) ? true : null);
    assertThat(server.text("SELECT string_agg(DISTINCT status_reason, ',') FROM paas_builds WHERE id IN ('" + running + "', '" + waiting + "')"))
        .isEqualTo(BuildQueue.LEASE_EXPIRED);
    assertThat(server.text("SELECT count(*) FROM paas_builds WHERE id IN ('" + running + "', '" + waiting + "') AND finished_at IS NOT NULL"))
        .isEqualTo("2");
    assertThat(deadRunner.started).containsExactly(running);
    assertThat(liveRunner.started).isEmpty();
  }

  private record Target(UUID organizationId, UUID appId, UUID environmentId) {
  }

  private Target target(String name) {
    ApiClient.Session owner = newUser(name);
    String org = owner.personalOrganizationId();
    JsonObject app = call(HttpMethod.POST, "/api/paas/apps", owner.token(), org, new JsonObject().put("name", "queued")).bodyAsJsonObject();
    return new Target(UUID.fromString(org), UUID.fromString(app.getString("id")),
        UUID.fromString(app.getJsonArray("environments").getJsonObject(0).getString("id")));
  }

  private UUID queued(Target target, String owner) {
    return Await.result(builds.insert(pool(), target.organizationId(), target.appId(), target.environmentId(), "upload", null, null, null,
        owner, LEASE));
  }

  private void start(String owner, int perOrganization, int global, BuildQueue.Runner runner, Pool pool) {
    start(owner, perOrganization, global, runner, server.platform().vertx(), pool);
  }

  private void start(String owner, int perOrganization, int global, BuildQueue.Runner runner, Vertx vertx, Pool pool) {
    BuildQueue queue = new BuildQueue(vertx, pool, new BuildQueue.Settings(perOrganization, global, LEASE,
        Duration.ofMillis(200), Duration.ofMillis(300)), owner);
    queues.add(queue);
    Await.result(queue.start(runner, (held, since) -> { }));
  }

  private Future<Void> succeed(String owner, UUID id) {
    return builds.built(pool(), id, "fake", "registry.test/app@" + DIGEST, DIGEST, new JsonObject().putNull("web"))
        .compose(v -> builds.finishOwned(pool(), id, owner, "succeeded", null, null, "built"))
        .map(recorded -> {
          assertThat(recorded).as("the worker still held the lease of " + id).isTrue();
          return null;
        });
  }

  private static Pool pool() {
    return server.platform().pool();
  }

  private List<String> statuses(UUID... ids) {
    List<String> statuses = new ArrayList<>();
    for (UUID id : ids) {
      statuses.add(server.text("SELECT status FROM paas_builds WHERE id = '" + id + "'"));
    }
    return statuses;
  }
}
