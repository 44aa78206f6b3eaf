package io.skypanel.controlplane.paas.git;

import io.skypanel.common.auth.Authenticator;
import io.skypanel.common.auth.OrgRole;
import io.skypanel.common.auth.Principal;
import io.skypanel.common.errors.ApiException;
import io.skypanel.controlplane.paas.git.GitSourceRepository.GitApp;
import io.skypanel.controlplane.tenancy.OrgContext;
import io.skypanel.controlplane.tenancy.TenantResolver;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Who may use an app's git endpoint. HTTP Basic with an API token ({@code skp_...}) as the password; the user name
 * is ignored (git asks for one; the email or anything does). Checked in the order that leaks nothing: credentials
 * (401, which makes git prompt), then membership in the app's organization (404 for a foreign app exactly as for an
 * unknown one), then, for a push, the developer role and the token's write scope (403). The token is never logged.
 */
public final class GitAccess {

  /** Sent with every 401 so git (and browsers) ask for credentials. */
  public static final String CHALLENGE = "Basic realm=\"SkyPanel\"";

  private final Pool pool;
  private final Authenticator authenticator;
  private final TenantResolver tenants;
  private final GitSourceRepository repository = new GitSourceRepository();

  public GitAccess(Pool pool, Authenticator authenticator) {
    this.pool = pool;
    this.authenticator = authenticator;
    this.tenants = new TenantResolver(pool);
  }

  /** A checked caller of an app's repository. */
  public record GitCaller(Principal principal, OrgContext org, GitApp app) {
  }

  /** Checks {@code authorization} (the raw header) for the app {@code slug}; {@code push}: receive-pack. */
  public Future<GitCaller> check(String authorization, String slug, boolean push) {
    String token = basicPassword(authorization);
    if (token == null || !token.startsWith(Authenticator.API_TOKEN_PREFIX)) {
      return Future.failedFuture(ApiException.unauthorized("git needs an API token (skp_...) as the password"));
    }
    return authenticator.authenticate(token).compose(principal -> repository.appBySlug(pool, slug)
        .compose(app -> app == null ? Future.failedFuture(ApiException.notFound("app"))
            : tenants.membership(app.organizationId(), principal.userId()).compose(org -> {
              if (org == null) {
                return Future.failedFuture(ApiException.notFound("app"));
              }
              if (push && !org.role().atLeast(OrgRole.DEVELOPER)) {
                return Future.failedFuture(ApiException.forbidden("pushing needs the developer role in the organization"));
              }
              if (push && !principal.canWrite()) {
                return Future.failedFuture(ApiException.forbidden("this token is read-only"));
              }
              return Future.succeededFuture(new GitCaller(principal, org, app));
            })));
  }

  /** The password of a Basic header, or null when there is none or it is malformed. */
  static String basicPassword(String authorization) {
    if (authorization == null || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
      return null;
    }
    try {
      String decoded = new String(Base64.getDecoder().decode(authorization.substring(6).trim()), StandardCharsets.UTF_8);
      int colon = decoded.indexOf(':');
      return colon < 0 ? null : decoded.substring(colon + 1);
    } catch (IllegalArgumentException malformed) {
      return null;
    }
  }
}
