package io.skypanel.controlplane.paas.webhooks;

import io.skypanel.common.auth.Principal;
import io.skypanel.common.crypto.SecretBox;
import io.skypanel.common.errors.ApiException;
import io.skypanel.controlplane.activity.ActivityEntry;
import io.skypanel.controlplane.activity.ActivityRepository;
import io.skypanel.controlplane.paas.environments.DeployBranch;
import io.skypanel.controlplane.tenancy.OrgContext;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.UUID;

/**
 * An app's incoming webhooks. Creating one checks the repository URL against the SSRF rule (a DNS lookup, on the
 * git worker pool) and generates the signing secret, sealed at rest and returned in the 201 answer only.
 */
public final class WebhookService {

  private static final SecureRandom RANDOM = new SecureRandom();

  private final Pool pool;
  private final SecretBox secrets;
  private final WorkerExecutor workers;
  private final PublicAddresses addresses;
  private final WebhookRepository webhooks = new WebhookRepository();
  private final ActivityRepository activity = new ActivityRepository();

  public WebhookService(Pool pool, SecretBox secrets, WorkerExecutor workers, PublicAddresses addresses) {
    this.pool = pool;
    this.secrets = secrets;
    this.workers = workers;
    this.addresses = addresses;
  }

  public Future<JsonObject> create(Principal principal, OrgContext org, UUID appId, JsonObject body, String ip) {
    String url = body.getString("repository_url");
    String branch = body.getString("branch", "main");
    String provider = body.getString("provider", "github");
    if (!DeployBranch.valid(branch)) {
      return Future.failedFuture(ApiException.validation("branch is not a valid branch name", null));
    }
    String secret = HexFormat.of().formatHex(randomBytes());
    // the app first (404 before anything about the URL leaks), then the URL's addresses
    return webhooks.appExists(pool, org.organizationId(), appId)
        .compose(found -> found ? Future.succeededFuture() : Future.failedFuture(ApiException.notFound("app")))
        .compose(v -> workers.executeBlocking(() -> {
          addresses.check(url);
          return null;
        }, false))
        .compose(v -> pool.withTransaction(conn -> webhooks.insert(conn, org.organizationId(), appId, provider, url, branch,
                secrets.encrypt(secret), principal.userId())
            .compose(hook -> activity.insert(conn, new ActivityEntry(org.organizationId(), principal.userId(), "paas.webhook.create",
                "webhook", hook.getString("id"), new JsonObject().put("app_id", appId.toString()).put("provider", provider)
                .put("repository_url", url).put("branch", branch), ip)).map(hook))))
        .map(hook -> hook.put("secret", secret));
  }

  public Future<JsonObject> list(OrgContext org, UUID appId) {
    return webhooks.appExists(pool, org.organizationId(), appId)
        .compose(found -> found ? webhooks.byApp(pool, org.organizationId(), appId) : Future.failedFuture(ApiException.notFound("app")))
        .map(hooks -> new JsonObject().put("data", new JsonArray(hooks)).putNull("next_cursor"));
  }

  public Future<Void> delete(Principal principal, OrgContext org, UUID appId, UUID id, String ip) {
    return pool.withTransaction(conn -> webhooks.delete(conn, org.organizationId(), appId, id).compose(deleted -> deleted
        ? activity.insert(conn, new ActivityEntry(org.organizationId(), principal.userId(), "paas.webhook.delete", "webhook",
            id.toString(), new JsonObject().put("app_id", appId.toString()), ip))
        : Future.failedFuture(ApiException.notFound("webhook"))));
  }

  private static byte[] randomBytes() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return bytes;
  }
}
