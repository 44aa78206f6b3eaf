package io.skypanel.controlplane.auth;

import io.skypanel.common.Platform;
import io.skypanel.common.auth.AccessTokens;
import io.skypanel.common.auth.Authenticator;
import io.skypanel.common.auth.Digests;
import io.skypanel.common.auth.Principal;
import io.skypanel.controlplane.ControlPlaneOptions;
import io.skypanel.common.errors.ApiException;
import io.skypanel.controlplane.activity.ActivityEntry;
import io.skypanel.controlplane.activity.ActivityRepository;
import io.skypanel.controlplane.api.Cursor;
import io.skypanel.controlplane.organizations.OrganizationService;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;

import java.util.List;
import java.util.Locale;
import java.util.UUID;

/** Accounts and credentials: registration, login, refresh-token rotation and API tokens. */
public final class AuthService {

  private static final int REFRESH_TOKEN_BYTES = 32;
  private static final int API_TOKEN_BYTES = 32;
  private static final int API_TOKEN_SHOWN_CHARS = 12;

  private final Pool pool;
  private final AccessTokens accessTokens;
  private final PasswordHasher passwords;
  private final LoginThrottle throttle;
  private final long refreshTtlSeconds;
  private final UserRepository users = new UserRepository();
  private final RefreshTokenRepository refreshTokens = new RefreshTokenRepository();
  private final ApiTokenRepository apiTokens = new ApiTokenRepository();
  private final ActivityRepository activity = new ActivityRepository();
  private final OrganizationService organizations;

  public AuthService(Platform platform, ControlPlaneOptions.Auth options, PasswordHasher passwords, OrganizationService organizations) {
    this.pool = platform.pool();
    this.accessTokens = platform.accessTokens();
    this.passwords = passwords;
    this.organizations = organizations;
    this.throttle = new LoginThrottle(platform.redisApi(), platform.redisPrefix(),
        options.loginMaxFailures(), options.loginWindowSeconds());
    this.refreshTtlSeconds = options.refreshTtlSeconds();
  }

  /** Creates the user and their personal organization (as owner) in one transaction. */
  public Future<JsonObject> register(String email, String password, String name, String ip) {
    return createUser(normalize(email), password, name.trim(), "user", ip, "auth.register");
  }

  /** Creates a platform administrator unless one exists; used once at start from configuration. */
  public Future<Boolean> ensureAdmin(String email, String password) {
    return users.anyAdmin(pool).compose(present -> present
        ? Future.succeededFuture(false)
        : createUser(normalize(email), password, "Platform administrator", "admin", null, "admin.bootstrap").map(true));
  }

  private Future<JsonObject> createUser(String email, String password, String name, String role, String ip, String action) {
    return passwords.hash(password).compose(hash -> pool.withTransaction(conn ->
        users.insert(conn, email, name, hash, role).compose(user -> {
          if (user == null) {
            return Future.failedFuture(ApiException.conflict("email_taken", "an account with this email already exists"));
          }
          return organizations.createWithOwner(conn, name, null, true, user.id()).compose(org ->
              users.setPersonalOrganization(conn, user.id(), UUID.fromString(org.getString("id")))
                  .compose(v -> activity.insert(conn, new ActivityEntry(UUID.fromString(org.getString("id")), user.id(), action,
                      "user", user.id().toString(), new JsonObject().put("email", email), ip)))
                  .map(v -> new JsonObject()
                      .put("user", user.withPersonalOrganization(UUID.fromString(org.getString("id"))).toJson())
                      .put("organization", org)));
        })));
  }

  /** Verifies the password under the brute-force throttle and opens a session (access + refresh token). */
  public Future<JsonObject> login(String rawEmail, String password, String ip) {
    String email = normalize(rawEmail);
    return throttle.check(email, ip)
        .compose(ok -> users.byEmail(pool, email))
        .compose(user -> passwords.verify(password, user == null ? null : user.passwordHash()).compose(match -> {
          if (!match || user.disabled()) {
            return throttle.recordFailure(email, ip)
                .transform(done -> Future.failedFuture(ApiException.unauthorized("invalid email or password")));
          }
          return throttle.recordSuccess(email).compose(v -> pool.withTransaction(conn ->
              users.touchLogin(conn, user.id())
                  .compose(x -> activity.insert(conn, new ActivityEntry(user.personalOrganizationId(), user.id(), "auth.login",
                      "user", user.id().toString(), new JsonObject(), ip)))
                  .compose(x -> openSession(conn, user.id(), UUID.randomUUID(), ip))));
        }));
  }

  /**
   * Rotates a refresh token. Presenting a token that was already rotated means it leaked: the whole family
   * (every token descended from the same login) is revoked and the caller must log in again.
   */
  public Future<JsonObject> refresh(String refreshToken, String ip) {
    String digest = Digests.sha256Hex(refreshToken);
    return pool.withTransaction(conn -> refreshTokens.lockByDigest(conn, digest).compose(stored -> {
      if (stored == null) {
        return Future.failedFuture(ApiException.unauthorized("invalid refresh token"));
      }
      if (stored.revokedAt() != null) {
        return refreshTokens.revokeFamily(conn, stored.familyId()).map(v -> (JsonObject) null);
      }
      if (stored.expiresAt().toInstant().isBefore(java.time.Instant.now())) {
        return Future.failedFuture(ApiException.unauthorized("refresh token expired; log in again"));
      }
      return users.byId(conn, stored.userId()).compose(user -> {
        if (user == null || user.disabled()) {
          return Future.failedFuture(ApiException.unauthorized("invalid refresh token"));
        }
        return openSession(conn, user.id(), stored.familyId(), ip).compose(session ->
            refreshTokens.rotate(conn, stored.id(), UUID.fromString(session.getString("_refresh_id")))
                .compose(v -> activity.insert(conn, new ActivityEntry(user.personalOrganizationId(), user.id(), "auth.session.refresh",
                    "user", user.id().toString(), new JsonObject(), ip)))
                .map(v -> session));
      });
    })).compose(session -> {
      // a reused token revoked its family inside the (committed) transaction; only now report the failure
      if (session == null) {
        return Future.failedFuture(ApiException.unauthorized("refresh token was already used; the session has been revoked"));
      }
      session.remove("_refresh_id");
      return Future.succeededFuture(session);
    });
  }

  private Future<JsonObject> openSession(SqlConnection conn, UUID userId, UUID familyId, String ip) {
    String refresh = Digests.randomToken(REFRESH_TOKEN_BYTES);
    return refreshTokens.insert(conn, userId, familyId, Digests.sha256Hex(refresh), refreshTtlSeconds, ip)
        .map(refreshId -> new JsonObject()
            .put("token", accessTokens.issue(userId))
            .put("refresh_token", refresh)
            .put("token_type", "Bearer")
            .put("expires_in", accessTokens.ttlSeconds())
            .put("_refresh_id", refreshId.toString()));
  }

  public Future<JsonObject> currentUser(Principal principal) {
    return users.byId(pool, principal.userId()).compose(user -> user == null
        ? Future.failedFuture(ApiException.unauthorized("invalid or expired credentials"))
        : Future.succeededFuture(user.toJson()));
  }

  /** Creates an API token; its secret appears in this response only. */
  public Future<JsonObject> createApiToken(Principal principal, String name, List<String> scopes, Integer expiresInDays, String ip) {
    List<String> granted = scopes == null ? List.of(Principal.SCOPE_READ, Principal.SCOPE_WRITE) : scopes;
    if (granted.contains(Principal.SCOPE_ADMIN) && !principal.isPlatformAdmin()) {
      return Future.failedFuture(ApiException.unprocessable("scope_not_allowed", "only platform administrators may create admin-scoped tokens"));
    }
    if (principal.viaApiToken() && !principal.scopes().containsAll(granted)) {
      return Future.failedFuture(ApiException.unprocessable("scope_not_allowed", "a token cannot create a token with more scopes than its own"));
    }
    String secret = Authenticator.API_TOKEN_PREFIX + Digests.randomToken(API_TOKEN_BYTES);
    String shown = secret.substring(0, API_TOKEN_SHOWN_CHARS);
    return pool.withTransaction(conn -> users.byId(conn, principal.userId()).compose(user ->
        apiTokens.insert(conn, principal.userId(), name.trim(), Digests.sha256Hex(secret), shown, granted, expiresInDays)
            .compose(token -> activity.insert(conn, new ActivityEntry(user.personalOrganizationId(), user.id(), "auth.token.create",
                    "api_token", token.getString("id"), new JsonObject().put("name", token.getString("name")).put("scopes", token.getJsonArray("scopes")), ip))
                .map(v -> token.copy().put("token", secret)))));
  }

  public Future<JsonObject> listApiTokens(Principal principal, Cursor cursor, int limit) {
    return apiTokens.page(pool, principal.userId(), cursor == null ? null : cursor.createdAt(), cursor == null ? null : cursor.id(), limit + 1)
        .map(rows -> io.skypanel.controlplane.api.Pages.of(rows, limit));
  }

  public Future<Void> revokeApiToken(Principal principal, UUID tokenId, String ip) {
    return pool.withTransaction(conn -> apiTokens.revoke(conn, tokenId, principal.userId()).compose(name -> {
      if (name == null) {
        return Future.failedFuture(ApiException.notFound("API token"));
      }
      return users.byId(conn, principal.userId()).compose(user -> activity.insert(conn, new ActivityEntry(
          user.personalOrganizationId(), user.id(), "auth.token.revoke", "api_token", tokenId.toString(), new JsonObject().put("name", name), ip)));
    }));
  }

  static String normalize(String email) {
    return email.trim().toLowerCase(Locale.ROOT);
  }
}
