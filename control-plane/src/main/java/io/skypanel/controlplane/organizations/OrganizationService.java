package io.skypanel.controlplane.organizations;

import io.skypanel.common.auth.Principal;
import io.skypanel.common.errors.ApiException;
import io.skypanel.common.events.PlatformEvents;
import io.skypanel.common.events.Topics;
import io.skypanel.controlplane.activity.ActivityEntry;
import io.skypanel.controlplane.activity.ActivityRepository;
import io.skypanel.controlplane.api.Cursor;
import io.skypanel.controlplane.api.Pages;
import io.skypanel.controlplane.auth.UserRepository;
import io.skypanel.controlplane.tenancy.OrgContext;
import io.skypanel.common.auth.OrgRole;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.UUID;

/**
 * Organizations and membership. Role rules: viewer reads; admin manages members and settings; only an owner
 * grants or takes away ownership and deletes; an organization always keeps at least one owner.
 */
public final class OrganizationService {

  private static final Logger LOG = LoggerFactory.getLogger(OrganizationService.class);
  private static final int SLUG_ATTEMPTS = 5;
  private static final String UNIQUE_VIOLATION = "23505";

  private final Pool pool;
  private final PlatformEvents events;
  private final OrganizationRepository organizations = new OrganizationRepository();
  private final UserRepository users = new UserRepository();
  private final ActivityRepository activity = new ActivityRepository();

  public OrganizationService(Pool pool, PlatformEvents events) {
    this.pool = pool;
    this.events = events;
  }

  /**
   * Inserts an organization with {@code ownerId} as owner inside the caller's transaction. A requested slug
   * that is taken is a 409; a derived one gets a random suffix instead.
   */
  public Future<JsonObject> createWithOwner(SqlConnection conn, String name, String requestedSlug, boolean personal, UUID ownerId) {
    String base = requestedSlug != null ? requestedSlug : Slugs.from(name);
    return insertWithSlug(conn, name.trim(), base, requestedSlug != null, personal, ownerId, 0)
        .compose(org -> organizations.addMember(conn, UUID.fromString(org.getString("id")), ownerId, OrgRole.OWNER.label())
            .map(added -> org.copy().put("role", OrgRole.OWNER.label())));
  }

  private Future<JsonObject> insertWithSlug(SqlConnection conn, String name, String slug, boolean exact, boolean personal,
                                            UUID ownerId, int attempt) {
    return organizations.insert(conn, name, slug, personal, ownerId).compose(org -> {
      if (org != null) {
        return Future.succeededFuture(org);
      }
      if (exact) {
        return Future.failedFuture(ApiException.conflict("slug_taken", "the slug '" + slug + "' is already taken"));
      }
      if (attempt >= SLUG_ATTEMPTS) {
        return Future.failedFuture(ApiException.conflict("slug_taken", "could not find a free slug; choose one explicitly"));
      }
      String base = attempt == 0 ? slug : slug.substring(0, slug.lastIndexOf('-'));
      return insertWithSlug(conn, name, Slugs.withSuffix(base), false, personal, ownerId, attempt + 1);
    });
  }

  public Future<JsonObject> create(Principal principal, String name, String slug, String ip) {
    return pool.withTransaction(conn -> createWithOwner(conn, name, slug, false, principal.userId()).compose(org ->
        activity.insert(conn, entry(org.getString("id"), principal, "organization.create", "organization", org.getString("id"),
            new JsonObject().put("name", org.getString("name")).put("slug", org.getString("slug")), ip)).map(org)));
  }

  public Future<JsonObject> list(Principal principal, Cursor cursor, int limit) {
    return organizations.pageForMember(pool, principal.userId(), cursor == null ? null : cursor.createdAt(), cursor == null ? null : cursor.id(), limit + 1)
        .map(rows -> Pages.of(rows, limit));
  }

  /** The organization as the caller sees it; 404 when the caller is not a member (unknown and foreign look alike). */
  public Future<JsonObject> get(Principal principal, UUID organizationId) {
    return organizations.forMember(pool, organizationId, principal.userId()).compose(OrganizationService::found);
  }

  public Future<JsonObject> update(Principal principal, OrgContext org, String name, String slug, String ip) {
    Future<Boolean> taken = slug == null ? Future.succeededFuture(false) : organizations.slugTaken(pool, slug, org.organizationId());
    return taken.compose(isTaken -> {
      if (isTaken) {
        return Future.failedFuture(ApiException.conflict("slug_taken", "the slug '" + slug + "' is already taken"));
      }
      return pool.withTransaction(conn -> organizations.update(conn, org.organizationId(), name == null ? null : name.trim(), slug)
          .compose(OrganizationService::found)
          .compose(updated -> activity.insert(conn, entry(org.organizationId().toString(), principal, "organization.update", "organization",
                  org.organizationId().toString(), changes(name, slug), ip))
              .map(v -> updated.put("role", org.role().label()))))
          // another request took the slug between the check and the update: same answer as the check
          .recover(err -> Future.failedFuture(err instanceof PgException pg && UNIQUE_VIOLATION.equals(pg.getSqlState())
              ? ApiException.conflict("slug_taken", "the slug '" + slug + "' is already taken") : err));
    });
  }

  public Future<Void> delete(Principal principal, OrgContext org, String ip) {
    if (org.personal()) {
      return Future.failedFuture(ApiException.unprocessable("personal_organization", "a personal organization cannot be deleted"));
    }
    // activity rows have no foreign key to the organization, so its history (and this last entry) survives;
    // running workloads must go first: the rows would cascade away while their Swarm services kept running
    return pool.withTransaction(conn -> organizations.lock(conn, org.organizationId())
            .compose(v -> organizations.workloads(conn, org.organizationId()))
            .compose(workloads -> workloads > 0
                ? Future.failedFuture(ApiException.conflict("organization_not_empty",
                    "delete the organization's containers, volumes and add-ons first (" + workloads + " remain)"))
                : organizations.delete(conn, org.organizationId()))
            .compose(v -> activity.insert(conn, new ActivityEntry(org.organizationId(), principal.userId(), "organization.delete", "organization",
                org.organizationId().toString(), new JsonObject().put("slug", org.slug()), ip))))
        .andThen(done -> {
          if (done.succeeded()) {
            // other services drop what they cached for this tenant; the database already forgot it
            events.publish(Topics.ORGANIZATION_DELETED, new JsonObject().put("organization_id", org.organizationId().toString()))
                .onFailure(err -> LOG.warn("could not announce the deletion of organization {}: {}", org.organizationId(), err.getMessage()));
          }
        });
  }

  public Future<JsonObject> members(OrgContext org, Cursor cursor, int limit) {
    return organizations.membersPage(pool, org.organizationId(), cursor == null ? null : cursor.createdAt(), cursor == null ? null : cursor.id(), limit + 1)
        .map(rows -> Pages.of(rows, limit, "user_id"));
  }

  public Future<JsonObject> addMember(Principal principal, OrgContext org, String email, OrgRole role, String ip) {
    if (role == OrgRole.OWNER && org.role() != OrgRole.OWNER) {
      return Future.failedFuture(ApiException.forbidden("only an owner can add another owner"));
    }
    return pool.withTransaction(conn -> users.byEmail(conn, email.trim().toLowerCase()).compose(user -> {
      if (user == null || user.disabled()) {
        return Future.failedFuture(ApiException.unprocessable("user_not_found", "no active account has this email; the person must register first"));
      }
      return organizations.addMember(conn, org.organizationId(), user.id(), role.label()).compose(added -> {
        if (!added) {
          return Future.failedFuture(ApiException.conflict("already_member", "this user is already a member"));
        }
        return activity.insert(conn, entry(org.organizationId().toString(), principal, "organization.member.add", "user", user.id().toString(),
                new JsonObject().put("email", user.email()).put("role", role.label()), ip))
            .compose(v -> organizations.member(conn, org.organizationId(), user.id()));
      });
    }));
  }

  public Future<JsonObject> updateMember(Principal principal, OrgContext org, UUID userId, OrgRole role, String ip) {
    return pool.withTransaction(conn -> organizations.lock(conn, org.organizationId())
        .compose(v -> organizations.member(conn, org.organizationId(), userId))
        .compose(member -> {
          if (member == null) {
            return Future.failedFuture(ApiException.notFound("member"));
          }
          OrgRole current = OrgRole.parse(member.getString("role"));
          if ((current == OrgRole.OWNER || role == OrgRole.OWNER) && org.role() != OrgRole.OWNER) {
            return Future.failedFuture(ApiException.forbidden("only an owner can grant or take away ownership"));
          }
          return keepsAnOwner(conn, org, current, role == OrgRole.OWNER)
              .compose(x -> organizations.setRole(conn, org.organizationId(), userId, role.label()))
              .compose(x -> activity.insert(conn, entry(org.organizationId().toString(), principal, "organization.member.update", "user",
                  userId.toString(), new JsonObject().put("from", current.label()).put("to", role.label()), ip)))
              .compose(x -> organizations.member(conn, org.organizationId(), userId));
        }));
  }

  /**
   * Removes a member. Admins remove others; anyone may leave; ownership is only removed by an owner; the
   * last owner cannot go.
   */
  public Future<Void> removeMember(Principal principal, OrgContext org, UUID userId, String ip) {
    boolean leaving = principal.userId().equals(userId);
    if (!leaving && !org.role().atLeast(OrgRole.ADMIN)) {
      return Future.failedFuture(ApiException.forbidden("this action needs the admin role in the organization"));
    }
    return pool.withTransaction(conn -> organizations.lock(conn, org.organizationId())
        .compose(v -> organizations.member(conn, org.organizationId(), userId))
        .compose(member -> {
          if (member == null) {
            return Future.failedFuture(ApiException.notFound("member"));
          }
          OrgRole current = OrgRole.parse(member.getString("role"));
          if (current == OrgRole.OWNER && org.role() != OrgRole.OWNER) {
            return Future.failedFuture(ApiException.forbidden("only an owner can remove an owner"));
          }
          return keepsAnOwner(conn, org, current, false)
              .compose(x -> organizations.removeMember(conn, org.organizationId(), userId))
              .compose(x -> activity.insert(conn, entry(org.organizationId().toString(), principal,
                  leaving ? "organization.member.leave" : "organization.member.remove", "user", userId.toString(),
                  new JsonObject().put("email", member.getString("email")).put("role", current.label()), ip)));
        }));
  }

  /** Fails with 422 when the change would leave the organization without an owner. */
  private Future<Void> keepsAnOwner(SqlClient conn, OrgContext org, OrgRole current, boolean staysOwner) {
    if (current != OrgRole.OWNER || staysOwner) {
      return Future.succeededFuture();
    }
    return organizations.ownerCount(conn, org.organizationId()).compose(owners -> owners <= 1
        ? Future.failedFuture(ApiException.unprocessable("last_owner", "an organization must keep at least one owner"))
        : Future.succeededFuture());
  }

  private static JsonObject changes(String name, String slug) {
    JsonObject changes = new JsonObject();
    if (name != null) {
      changes.put("name", name.trim());
    }
    if (slug != null) {
      changes.put("slug", slug);
    }
    return changes;
  }

  private static ActivityEntry entry(String organizationId, Principal principal, String action, String targetType, String targetId,
                                     JsonObject metadata, String ip) {
    return new ActivityEntry(UUID.fromString(organizationId), principal.userId(), action, targetType, targetId, metadata, ip);
  }

  private static Future<JsonObject> found(JsonObject org) {
    return org == null ? Future.failedFuture(ApiException.notFound("organization")) : Future.succeededFuture(org);
  }
}
