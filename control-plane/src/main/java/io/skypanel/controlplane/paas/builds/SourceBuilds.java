package io.skypanel.controlplane.paas.builds;

import io.skypanel.common.auth.Principal;
import io.skypanel.controlplane.tenancy.OrgContext;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.util.UUID;

/**
 * The one way source code becomes a release, used by uploads, {@code git push} and webhooks alike: the build is
 * queued (per-organization concurrency from the plan), built by the first builder that takes it, pushed to the
 * platform's private registry and deployed to the environment as a new release.
 */
public interface SourceBuilds {

  /**
   * Queues a build of {@code source} for the app's environment (null: the app's production environment). The
   * caller must already have checked the caller's role (developer) and that the app belongs to {@code org}.
   *
   * @param listener gets every line of the build's log as it is written (besides the stored log), e.g. to relay it
   *                 to a git client as {@code remote:} lines; {@link BuildLog#NONE} when nobody listens
   * @return once queued: the build (its JSON view) and a future of its end
   */
  Future<Handle> submit(Principal principal, OrgContext org, UUID appId, UUID environmentId, BuildSource source, BuildLog listener);

  /** A queued build. */
  interface Handle {

    /** The build as the API shows it ({@code id}, {@code status}, ...). */
    JsonObject build();

    /**
     * Completes when the build has ended: with the build's final view ({@code status} {@code succeeded} and its
     * {@code release} version, or {@code failed}/{@code cancelled} with {@code status_reason}); never fails.
     */
    Future<JsonObject> ended();
  }
}
