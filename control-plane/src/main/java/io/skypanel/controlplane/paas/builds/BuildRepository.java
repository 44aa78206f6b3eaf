package io.skypanel.controlplane.paas.builds;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * SQL of {@code paas_builds}, which is also the durable build queue (see {@link BuildQueue}). A build ends once: every
 * transition out of {@code queued}/{@code building} is conditional on the build still being there, so a cancel, the
 * lease sweeper and the build's own end can race and one wins; the worker's own end also needs its lease.
 */
public final class BuildRepository {

  private static final String INSERT = """
      INSERT INTO paas_builds (organization_id, app_id, environment_id, origin, ref, source_commit, created_by, lease_owner,
                               lease_expires_at, build_args, target)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, now() + make_interval(secs => $9), $10, $11) RETURNING id""";
  private static final String APP_BUILD_IDS = "SELECT id FROM paas_builds WHERE app_id = $1 AND organization_id = $2";
  private static final String BY_ID = "SELECT " + Build.COLUMNS + Build.FROM + "WHERE b.id = $1 AND b.organization_id = $2";
  private static final String LOG = "SELECT log FROM paas_builds WHERE id = $1 AND organization_id = $2";
  private static final String PAGE = "SELECT " + Build.COLUMNS + Build.FROM + """
      WHERE b.app_id = $1 AND b.organization_id = $2 AND ($3::timestamptz IS NULL OR (b.created_at, b.id) < ($3, $4))
      ORDER BY b.created_at DESC, b.id DESC LIMIT $5""";
  /** Serializes claims of all control planes, so the limit counts below never race (held to the end of the transaction). */
  private static final String CLAIM_LOCK = "SELECT pg_advisory_xact_lock(hashtext('skypanel.paas_builds.claim'))";
  /**
   * The owner's next build: the oldest queued one of the organization that started a build least recently (never
   * first), among organizations under {@code $2} live builds, when fewer than {@code $3} run in all. Live means
   * building under an unexpired lease (a dead worker's build no longer holds a slot; the sweeper fails it).
   */
  private static final String CLAIM = """
      WITH live AS (SELECT organization_id FROM paas_builds WHERE status = 'building' AND lease_expires_at > now()),
      next AS (
        SELECT b.id FROM paas_builds b
         WHERE b.status = 'queued' AND b.lease_owner = $1
           AND (SELECT count(*) FROM live) < $3
           AND (SELECT count(*) FROM live l WHERE l.organization_id = b.organization_id) < $2
         ORDER BY (SELECT max(s.started_at) FROM paas_builds s WHERE s.organization_id = b.organization_id) NULLS FIRST,
                  b.created_at, b.id
         LIMIT 1 FOR UPDATE OF b SKIP LOCKED)
      UPDATE paas_builds b SET status = 'building', started_at = now(), lease_expires_at = now() + make_interval(secs => $4)
        FROM next WHERE b.id = next.id RETURNING b.id, b.organization_id""";
  /** The owner's heartbeat: renews the leases of its unfinished builds and answers which it still holds. */
  private static final String RENEW = """
      UPDATE paas_builds SET lease_expires_at = now() + make_interval(secs => $2)
       WHERE lease_owner = $1 AND status IN ('queued', 'building') RETURNING id""";
  private static final String SWEEP = """
      UPDATE paas_builds SET status = 'failed', status_reason = $1, finished_at = now()
       WHERE status IN ('queued', 'building') AND (lease_expires_at IS NULL OR lease_expires_at < now()) RETURNING id""";
  private static final String BUILT = """
      UPDATE paas_builds SET builder = $2, image_ref = $3, image_digest = $4, process_types = $5 WHERE id = $1 AND status = 'building'""";
  private static final String FINISH = """
      UPDATE paas_builds SET status = $2, status_reason = $3, release_id = coalesce($4, release_id), log = coalesce($5, log),
             finished_at = now()
       WHERE id = $1 AND status IN ('queued', 'building')""";
  /** The worker's own end: only while the build is still building under its lease (a swept or cancelled build stays so). */
  private static final String FINISH_OWNED = """
      UPDATE paas_builds SET status = $3, status_reason = $4, release_id = coalesce($5, release_id), log = coalesce($6, log),
             finished_at = now()
       WHERE id = $1 AND lease_owner = $2 AND status = 'building'""";
  /** The app's slug, the environment (given, else production, else the oldest) and the build's limits from the app's plan. */
  private static final String TARGET = """
      SELECT a.slug, e.id AS environment_id, coalesce(p.cpu, d.cpu, 1)::float8 AS cpu, coalesce(p.memory_mb, d.memory_mb, 512) AS memory_mb,
             (SELECT r.image_ref FROM paas_releases r WHERE r.id = e.current_release_id) AS live_image
        FROM paas_apps a
        JOIN paas_environments e ON e.app_id = a.id AND e.organization_id = a.organization_id AND e.status <> 'deleting'
        LEFT JOIN paas_plans p ON p.id = a.plan_id
        LEFT JOIN paas_plans d ON d.slug = $4
       WHERE a.id = $1 AND a.organization_id = $2 AND a.status = 'active' AND ($3::uuid IS NULL OR e.id = $3)
       ORDER BY (e.name = 'production') DESC, e.created_at LIMIT 1""";
  /**
   * The app's images still in the registry beyond its newest {@code $2}, except those a release live (or about to
   * be) in one of its environments runs: what keep-N pruning deletes.
   */
  private static final String PRUNABLE = """
      SELECT old.id, old.image_ref, old.image_digest FROM (
        SELECT b.id, b.image_ref, b.image_digest, b.image_deleted_at FROM paas_builds b
         WHERE b.app_id = $1 AND b.image_digest IS NOT NULL ORDER BY b.created_at DESC OFFSET $2) old
       WHERE old.image_deleted_at IS NULL
         AND old.image_digest NOT IN (
           SELECT r.image_digest FROM paas_releases r JOIN paas_environments e ON e.id = r.environment_id
            WHERE e.app_id = $1 AND r.image_digest IS NOT NULL AND (r.id = e.current_release_id OR r.status = 'pending'))""";
  private static final String IMAGE_DELETED = "UPDATE paas_builds SET image_deleted_at = now() WHERE id = $1";

  /** A build a worker claimed: it is building under the worker's lease. */
  public record Claim(UUID buildId, UUID organizationId) {
  }

  /** Where a build of an app goes and with which limits. */
  public record Target(String appSlug, UUID environmentId, double cpu, int memoryMb, String liveImage) {
  }

  /** An image keep-N pruning deletes. */
  public record Prunable(UUID buildId, String imageRef, String digest) {
  }

  /** A queued build without Dockerfile build args or target stage (git pushes, webhooks). */
  public Future<UUID> insert(SqlClient client, UUID organizationId, UUID appId, UUID environmentId, String origin, String ref,
                             String commit, UUID createdBy, String owner, Duration lease) {
    return insert(client, organizationId, appId, environmentId, origin, ref, commit, createdBy, owner, lease, BuildArgs.NONE);
  }

  /** A queued build, leased from the start by {@code owner} (the control plane holding its source) for {@code lease}. */
  public Future<UUID> insert(SqlClient client, UUID organizationId, UUID appId, UUID environmentId, String origin, String ref,
                             String commit, UUID createdBy, String owner, Duration lease, BuildArgs options) {
    return client.preparedQuery(INSERT).execute(Tuple.from(new Object[] {organizationId, appId, environmentId, origin, ref, commit, createdBy,
            owner, seconds(lease), options.toJson(), options.target()}))
        .map(rows -> rows.iterator().next().getUUID("id"));
  }

  /** Ids of every build of the organization's app (its leftovers on disk are named by them). */
  public Future<List<UUID>> idsOfApp(SqlClient client, UUID organizationId, UUID appId) {
    return client.preparedQuery(APP_BUILD_IDS).execute(Tuple.of(appId, organizationId)).map(rows -> {
      List<UUID> ids = new ArrayList<>();
      rows.forEach(row -> ids.add(row.getUUID("id")));
      return ids;
    });
  }

  /** The organization's build, or null (unknown and foreign ids alike). */
  public Future<Build> byId(SqlClient client, UUID organizationId, UUID id) {
    return client.preparedQuery(BY_ID).execute(Tuple.of(id, organizationId))
        .map(rows -> rows.size() == 0 ? null : Build.from(rows.iterator().next()));
  }

  /** The stored log of the organization's build ("" while it runs), or null when there is no such build. */
  public Future<String> log(SqlClient client, UUID organizationId, UUID id) {
    return client.preparedQuery(LOG).execute(Tuple.of(id, organizationId)).map(rows -> {
      if (rows.size() == 0) {
        return null;
      }
      String log = rows.iterator().next().getString("log");
      return log == null ? "" : log;
    });
  }

  public Future<List<Build>> page(SqlClient client, UUID organizationId, UUID appId, OffsetDateTime before, UUID beforeId, int limit) {
    return client.preparedQuery(PAGE).execute(Tuple.of(appId, organizationId, before, beforeId, limit)).map(rows -> {
      List<Build> builds = new ArrayList<>();
      rows.forEach(row -> builds.add(Build.from(row)));
      return builds;
    });
  }

  /** Claims the owner's next build within the limits (queued → building, leased), or null when none may start now. */
  public Future<Claim> claim(Pool pool, String owner, int perOrganization, int global, Duration lease) {
    return pool.withTransaction(conn -> conn.query(CLAIM_LOCK).execute()
        .compose(locked -> conn.preparedQuery(CLAIM).execute(Tuple.of(owner, perOrganization, global, seconds(lease))))
        .map(rows -> {
          if (rows.size() == 0) {
            return null;
          }
          Row row = rows.iterator().next();
          return new Claim(row.getUUID("id"), row.getUUID("organization_id"));
        }));
  }

  /** Renews the owner's leases; the ids of the unfinished builds it still holds. */
  public Future<Set<UUID>> renew(SqlClient client, String owner, Duration lease) {
    return client.preparedQuery(RENEW).execute(Tuple.of(owner, seconds(lease))).map(rows -> {
      Set<UUID> held = new HashSet<>();
      rows.forEach(row -> held.add(row.getUUID("id")));
      return held;
    });
  }

  /** Fails every unfinished build whose lease expired (or that never had one), with the reason; their ids. */
  public Future<List<UUID>> sweep(SqlClient client, String reason) {
    return client.preparedQuery(SWEEP).execute(Tuple.of(reason)).map(rows -> {
      List<UUID> swept = new ArrayList<>();
      rows.forEach(row -> swept.add(row.getUUID("id")));
      return swept;
    });
  }

  /** Records what was built and pushed (before the release is cut, so pruning sees the image). */
  public Future<Void> built(SqlClient client, UUID id, String builder, String imageRef, String digest, JsonObject processTypes) {
    return client.preparedQuery(BUILT).execute(Tuple.of(id, builder, imageRef, digest, processTypes)).mapEmpty();
  }

  /** Ends a build that had not ended, whoever runs it (a cancel); false when it already had. */
  public Future<Boolean> finish(SqlClient client, UUID id, String status, String reason, UUID releaseId, String log) {
    return client.preparedQuery(FINISH).execute(Tuple.of(id, status, reason, releaseId, log)).map(rows -> rows.rowCount() == 1);
  }

  /** The worker's end of its build; false when the build ended otherwise (cancelled, or swept after a lost lease). */
  public Future<Boolean> finishOwned(SqlClient client, UUID id, String owner, String status, String reason, UUID releaseId, String log) {
    return client.preparedQuery(FINISH_OWNED).execute(Tuple.from(new Object[] {id, owner, status, reason, releaseId, log}))
        .map(rows -> rows.rowCount() == 1);
  }

  /** The app's build target, or null when the organization has no such active app (or no such environment of it). */
  public Future<Target> target(SqlClient client, UUID organizationId, UUID appId, UUID environmentId, String defaultPlan) {
    return client.preparedQuery(TARGET).execute(Tuple.of(appId, organizationId, environmentId, defaultPlan)).map(rows -> {
      if (rows.size() == 0) {
        return null;
      }
      Row row = rows.iterator().next();
      return new Target(row.getString("slug"), row.getUUID("environment_id"), row.getDouble("cpu"), row.getInteger("memory_mb"),
          row.getString("live_image"));
    });
  }

  public Future<List<Prunable>> prunable(SqlClient client, UUID appId, int keep) {
    return client.preparedQuery(PRUNABLE).execute(Tuple.of(appId, keep)).map(rows -> {
      List<Prunable> list = new ArrayList<>();
      rows.forEach(row -> list.add(new Prunable(row.getUUID("id"), row.getString("image_ref"), row.getString("image_digest"))));
      return list;
    });
  }

  private static double seconds(Duration duration) {
    return duration.toMillis() / 1000.0;
  }

  public Future<Void> imageDeleted(SqlClient client, UUID buildId) {
    return client.preparedQuery(IMAGE_DELETED).execute(Tuple.of(buildId)).mapEmpty();
  }
}
