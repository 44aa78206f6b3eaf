package io.skypanel.controlplane.caas.domains;

import io.skypanel.common.auth.Principal;
import io.skypanel.common.errors.ApiException;
import io.skypanel.common.events.PlatformEvents;
import io.skypanel.common.events.Topics;
import io.skypanel.controlplane.activity.ActivityEntry;
import io.skypanel.controlplane.activity.ActivityRepository;
import io.skypanel.controlplane.api.Cursor;
import io.skypanel.controlplane.api.Pages;
import io.skypanel.controlplane.caas.edge.EdgeTarget;
import io.skypanel.controlplane.caas.quotas.QuotaService;
import io.skypanel.controlplane.tenancy.OrgContext;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

/**
 * Custom domains of containers and of environments ({@link EdgeTarget}), proven by a DNS TXT record. An
 * environment's domains are routed by the edge to its web process, whichever release it runs.
 *
 * <ul>
 *   <li>Create: the hostname passes {@link Hostnames}; under a lock on the organization it must be new to the
 *       organization (409 {@code domain_exists}), not verified by another one (409 {@code hostname_taken}, saying
 *       nothing else about it) and within the plan's {@code max_domains}; the row gets a fresh random token.</li>
 *   <li>Verify: the TXT record {@code _skypanel-challenge.<hostname>} is looked up now, outside any transaction.
 *       The token among its values verifies the domain; otherwise the check's time and finding are committed on
 *       their own and the answer is 422 {@code verification_failed}. The unique index on verified hostnames decides
 *       a race with another organization (409 {@code hostname_taken}).</li>
 *   <li>Verify and delete announce {@link Topics#ROUTES_CHANGED} for the routed workload (the container, or the
 *       environment's web process, if deployed), so edge routers reload its hostnames. The edge's ACME manager
 *       picks a newly verified name up from its own work list.</li>
 * </ul>
 */
public final class DomainService {

  /** Pending domains are re-checked in the background for this long after they were added. */
  static final Duration RECHECK_WINDOW = Duration.ofDays(7);

  private static final Logger LOG = LoggerFactory.getLogger(DomainService.class);
  private static final String UNIQUE_VIOLATION = "23505";
  private static final int TOKEN_BYTES = 32;
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String TAKEN_MESSAGE = "this hostname is already verified by another organization";

  private final Pool pool;
  private final QuotaService quotas;
  private final DnsTxtVerifier verifier;
  private final PlatformEvents events;
  private final String baseDomain;
  private final DomainRepository domains = new DomainRepository();
  private final ActivityRepository activity = new ActivityRepository();

  public DomainService(Pool pool, QuotaService quotas, DnsTxtVerifier verifier, PlatformEvents events, String baseDomain) {
    this.pool = pool;
    this.quotas = quotas;
    this.verifier = verifier;
    this.events = events;
    this.baseDomain = baseDomain;
  }

  public Future<JsonObject> create(Principal principal, OrgContext org, EdgeTarget target, String requested, String ip) {
    String hostname;
    try {
      hostname = Hostnames.normalize(requested, baseDomain);
    } catch (ApiException e) {
      return Future.failedFuture(e);
    }
    UUID orgId = org.organizationId();
    String resource = target.kind().resource();
    return pool.withTransaction(conn -> target(conn, orgId, target)
            .compose(status -> "deleting".equals(status)
                ? Future.failedFuture(ApiException.conflict(resource + "_deleting", "the " + resource + " is being deleted"))
                : domains.lockOrganization(conn, orgId))
            .compose(locked -> domains.inOrganization(conn, hostname, orgId))
            .compose(exists -> exists ? Future.failedFuture(domainExists(hostname)) : domains.verifiedElsewhere(conn, hostname, orgId))
            .compose(taken -> taken ? Future.failedFuture(hostnameTaken()) : quotas.checkNewDomain(conn, orgId))
            .compose(fits -> domains.insert(conn, orgId, target, hostname, newToken(), principal.userId()))
            .compose(row -> activity.insert(conn, entry(row, principal.userId(), "create", new JsonObject(), ip)).map(row)))
        // the lock makes the check above exact; the index stays the last word
        .recover(err -> Future.failedFuture(isUniqueViolation(err, DomainRepository.ORG_HOSTNAME_KEY) ? domainExists(hostname) : err))
        .map(DomainRow::toJson);
  }

  /** The container's or environment's domains, newest first. */
  public Future<JsonObject> list(OrgContext org, EdgeTarget target, Cursor cursor, int limit) {
    UUID orgId = org.organizationId();
    return target(pool, orgId, target)
        .compose(status -> domains.page(pool, orgId, target, cursor == null ? null : cursor.createdAt(), cursor == null ? null : cursor.id(), limit + 1))
        .map(rows -> Pages.of(rows.stream().map(DomainRow::toJson).toList(), limit));
  }

  public Future<JsonObject> get(OrgContext org, UUID domainId) {
    return find(org.organizationId(), domainId).map(DomainRow::toJson);
  }

  public Future<Void> delete(Principal principal, OrgContext org, UUID domainId, String ip) {
    UUID orgId = org.organizationId();
    return pool.withTransaction(conn -> domains.delete(conn, orgId, domainId).compose(DomainService::found)
            .compose(row -> activity.insert(conn, entry(row, principal.userId(), "delete", new JsonObject().put("was_verified", row.verified()),
                ip)).map(row)))
        .onSuccess(row -> announceRoutes(row.workloadId()))
        .mapEmpty();
  }

  /**
   * Checks the TXT record now. A domain that is already verified answers as it is, without asking DNS: the
   * record may be removed once the domain is verified.
   */
  public Future<JsonObject> verify(Principal principal, OrgContext org, UUID domainId, String ip) {
    UUID orgId = org.organizationId();
    return find(orgId, domainId).compose(row -> row.verified() ? Future.succeededFuture(row)
            : verifier.check(row.hostname(), row.token()).compose(check -> check.verified()
                ? markVerified(row, principal.userId(), ip, new JsonObject())
                : recordFailure(row, check.problem(), principal.userId(), ip).compose(stored -> stored != null
                    ? Future.failedFuture(verificationFailed(check.problem()))
                    // verified (or deleted) while we asked DNS: answer what is stored now
                    : find(orgId, domainId))))
        .map(DomainRow::toJson);
  }

  /**
   * One background check of a pending domain: verifies it when the record is there (recorded in the activity log
   * without a user), otherwise only notes the time and finding on the domain.
   */
  Future<Void> recheck(DomainRow row) {
    return verifier.check(row.hostname(), row.token()).compose(check -> check.verified()
        ? markVerified(row, null, null, new JsonObject().put("by", "background check")).mapEmpty()
        : pool.withTransaction(conn -> domains.recordFailure(conn, row.id(), check.problem())).mapEmpty());
  }

  /**
   * Removes every domain of these environments in the caller's transaction (an app or environment being deleted), so
   * their hostnames are free at once; the edge drops their routes with the environment's web process.
   */
  public Future<Void> removeOfEnvironments(SqlClient conn, UUID organizationId, List<UUID> environmentIds) {
    return environmentIds.isEmpty() ? Future.succeededFuture()
        : domains.deleteOfEnvironments(conn, organizationId, environmentIds).mapEmpty();
  }

  /** Pending domains younger than {@link #RECHECK_WINDOW}, least recently checked first. */
  Future<List<DomainRow>> dueForRecheck(int limit) {
    return domains.dueForRecheck(pool, RECHECK_WINDOW.toSeconds(), limit);
  }

  private Future<DomainRow> markVerified(DomainRow row, UUID userId, String ip, JsonObject extra) {
    return pool.withTransaction(conn -> domains.markVerified(conn, row.id()).compose(DomainService::found)
            .compose(updated -> activity.insert(conn, entry(row, userId, "verify", new JsonObject().put("result", "verified").mergeIn(extra), ip))
                .map(updated)))
        .recover(err -> isUniqueViolation(err, DomainRepository.VERIFIED_HOSTNAME_KEY)
            ? pool.withTransaction(conn -> domains.recordFailure(conn, row.id(), TAKEN_MESSAGE)).transform(x -> Future.failedFuture(hostnameTaken()))
            : Future.failedFuture(err))
        .onSuccess(updated -> announceRoutes(updated.workloadId()));
  }

  /** Commits the check's time and finding (and, for a customer's call, the activity row); null if no longer pending. */
  private Future<DomainRow> recordFailure(DomainRow row, String problem, UUID userId, String ip) {
    return pool.withTransaction(conn -> domains.recordFailure(conn, row.id(), problem).compose(stored -> stored == null
        ? Future.succeededFuture(null)
        : activity.insert(conn, entry(row, userId, "verify", new JsonObject().put("result", "failed").put("error", problem), ip)).map(stored)));
  }

  /**
   * Edge routers reload this workload's routes; a lost message is repaired by their periodic resync. An environment
   * not deployed yet has no workload: its web process is routed with its domains when it comes.
   */
  private void announceRoutes(UUID containerId) {
    if (containerId == null) {
      return;
    }
    events.publish(Topics.ROUTES_CHANGED, new JsonObject().put("container_id", containerId.toString()))
        .onFailure(err -> LOG.debug("could not announce route change of {}: {}", containerId, err.getMessage()));
  }

  /** The target's status; 404 when it is not the organization's (or is an environment being deleted, as everywhere else). */
  private Future<String> target(SqlClient client, UUID orgId, EdgeTarget target) {
    return domains.targetStatus(client, orgId, target).compose(status -> status == null
        || (target.kind() == EdgeTarget.Kind.ENVIRONMENT && "deleting".equals(status))
        ? Future.failedFuture(ApiException.notFound(target.kind().resource()))
        : Future.succeededFuture(status));
  }

  private Future<DomainRow> find(UUID orgId, UUID domainId) {
    return domains.byId(pool, orgId, domainId).compose(DomainService::found);
  }

  private static Future<DomainRow> found(DomainRow row) {
    return row == null ? Future.failedFuture(ApiException.notFound("domain")) : Future.succeededFuture(row);
  }

  private static ApiException domainExists(String hostname) {
    return ApiException.conflict("domain_exists", "this organization already has the custom domain '" + hostname + "'");
  }

  private static ApiException hostnameTaken() {
    return ApiException.conflict("hostname_taken", TAKEN_MESSAGE);
  }

  private static ApiException verificationFailed(String problem) {
    return new ApiException(422, "verification_failed", "verification failed: " + problem,
        new JsonArray().add(new JsonObject().put("field", "/verification").put("rule", "txt_record").put("message", problem)));
  }

  /** {@code caas.domain.<verb>} for a container's domain, {@code paas.domain.<verb>} for an environment's; metadata names the target. */
  private static ActivityEntry entry(DomainRow row, UUID userId, String verb, JsonObject metadata, String ip) {
    EdgeTarget target = row.target();
    JsonObject details = new JsonObject().put("hostname", row.hostname()).put(target.idField(), target.id().toString()).mergeIn(metadata);
    return new ActivityEntry(row.organizationId(), userId, target.kind().area() + ".domain." + verb, "domain", row.id().toString(), details, ip);
  }

  /** 32 random bytes, url-safe base64 without padding: 43 characters. */
  static String newToken() {
    byte[] bytes = new byte[TOKEN_BYTES];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  private static boolean isUniqueViolation(Throwable err, String constraint) {
    return err instanceof PgException pg && UNIQUE_VIOLATION.equals(pg.getSqlState()) && constraint.equals(pg.getConstraint());
  }
}
