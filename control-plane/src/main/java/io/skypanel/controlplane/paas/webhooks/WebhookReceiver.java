package io.skypanel.controlplane.paas.webhooks;

import io.skypanel.common.auth.OrgRole;
import io.skypanel.common.auth.Principal;
import io.skypanel.common.crypto.SecretBox;
import io.skypanel.common.errors.ApiException;
import io.skypanel.controlplane.paas.builds.BuildLog;
import io.skypanel.controlplane.paas.builds.BuildSource;
import io.skypanel.controlplane.paas.builds.SourceBuilds;
import io.skypanel.controlplane.paas.webhooks.WebhookRepository.Delivery;
import io.skypanel.controlplane.tenancy.OrgContext;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;

import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Handles a provider's delivery: the signature first (401 without detail, nothing else is looked at), then the
 * event (only pushes to the webhook's branch build; the rest is answered and ignored), then the delivery id (a
 * replay answers the first outcome and builds nothing again), then the commit is fetched from the repository and
 * submitted as a build of the app's production environment, as the user who created the webhook.
 */
public final class WebhookReceiver {

  private static final Pattern SHA = Pattern.compile("^[0-9a-f]{40}([0-9a-f]{24})?$");

  private final Pool pool;
  private final SecretBox secrets;
  private final RepositoryFetcher fetcher;
  private final SourceBuilds builds;
  private final WebhookRepository webhooks = new WebhookRepository();

  public WebhookReceiver(Pool pool, SecretBox secrets, RepositoryFetcher fetcher, SourceBuilds builds) {
    this.pool = pool;
    this.secrets = secrets;
    this.fetcher = fetcher;
    this.builds = builds;
  }

  /** What to answer: a status and its JSON body. */
  public record Answer(int status, JsonObject body) {
  }

  public Future<Answer> receive(UUID webhookId, MultiMap headers, Buffer body) {
    return webhooks.forDelivery(pool, webhookId).compose(hook -> {
      if (hook == null) {
        return Future.failedFuture(ApiException.notFound("webhook"));
      }
      if (!WebhookSignatures.valid(hook.provider(), secrets.decryptToString(hook.secretSealed()), headers, body)) {
        return Future.failedFuture(ApiException.unauthorized("invalid signature"));
      }
      String event = WebhookSignatures.event(hook.provider(), headers);
      if (!WebhookSignatures.isPush(hook.provider(), event)) {
        return Future.succeededFuture(new Answer(200, ignored("event " + event + " does not build")));
      }
      JsonObject payload;
      try {
        payload = body.toJsonObject();
      } catch (DecodeException | ClassCastException e) {
        return Future.failedFuture(ApiException.badRequest("malformed_json", "the delivery is not a JSON object"));
      }
      String ref = payload.getString("ref");
      String commit = "gitlab".equals(hook.provider()) && payload.getString("checkout_sha") != null
          ? payload.getString("checkout_sha") : payload.getString("after");
      if (!("refs/heads/" + hook.branch()).equals(ref)) {
        return Future.succeededFuture(new Answer(202, ignored("a push to " + ref + ", not to " + hook.branch())));
      }
      if (commit == null || !SHA.matcher(commit).matches() || commit.chars().allMatch(c -> c == '0')) {
        return Future.succeededFuture(new Answer(202, ignored("the push deleted " + hook.branch() + " or names no commit")));
      }
      String deliveryId = WebhookSignatures.deliveryId(hook.provider(), headers);
      return deliveryId == null ? build(hook, commit) : once(hook, deliveryId, commit);
    });
  }

  /** Builds a delivery id once; a replay answers the first outcome (409 while the first is still being handled). */
  private Future<Answer> once(Delivery hook, String deliveryId, String commit) {
    return webhooks.claim(pool, hook.organizationId(), hook.id(), deliveryId).compose(claimed -> {
      if (!claimed) {
        return webhooks.outcome(pool, hook.id(), deliveryId).compose(first -> first == null || first.status() == null
            ? Future.failedFuture(ApiException.conflict("delivery_in_progress", "this delivery is still being processed"))
            : replay(first));
      }
      return build(hook, commit).transform(done -> {
        if (done.succeeded()) {
          return webhooks.complete(pool, hook.id(), deliveryId, done.result().status(), done.result().body()).map(done.result());
        }
        if (done.cause() instanceof ApiException api && api.status() < 500) {
          JsonObject error = new JsonObject().put("error", new JsonObject().put("code", api.code()).put("message", api.getMessage()));
          return webhooks.complete(pool, hook.id(), deliveryId, api.status(), error).compose(v -> Future.failedFuture(api));
        }
        // an outage is not an outcome: the provider's retry of this delivery gets processed
        return webhooks.release(pool, hook.id(), deliveryId).transform(released -> Future.failedFuture(done.cause()));
      });
    });
  }

  private Future<Answer> replay(WebhookRepository.Outcome first) {
    if (first.status() >= 400) {
      JsonObject error = first.response() == null ? new JsonObject() : first.response().getJsonObject("error", new JsonObject());
      return Future.failedFuture(new ApiException(first.status(), error.getString("code", "delivery_failed"),
          error.getString("message", "the first delivery failed")));
    }
    return Future.succeededFuture(new Answer(first.status(), first.response().copy().put("replayed", true)));
  }

  private Future<Answer> build(Delivery hook, String commit) {
    Principal creator = new Principal(hook.createdBy(), hook.creatorEmail(), "user", Set.of(Principal.SCOPE_READ, Principal.SCOPE_WRITE), null);
    OrgContext org = new OrgContext(hook.organizationId(), hook.orgSlug(), hook.personal(), OrgRole.DEVELOPER);
    return fetcher.fetch(hook.appId(), hook.repositoryUrl(), hook.branch(), commit)
        .compose(tarball -> builds.submit(creator, org, hook.appId(), null,
                new BuildSource(tarball, BuildSource.Origin.WEBHOOK, hook.branch(), commit), BuildLog.NONE)
            .onFailure(err -> fetcher.discard(tarball)))
        .map(handle -> new Answer(202, new JsonObject().put("status", "queued").put("commit", commit).put("build", handle.build())));
  }

  private static JsonObject ignored(String reason) {
    return new JsonObject().put("status", "ignored").put("reason", reason);
  }
}
