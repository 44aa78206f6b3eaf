package io.skypanel.controlplane.paas.builds.buildpacks;

import io.skypanel.controlplane.paas.builds.BuildFailedException;
import io.skypanel.controlplane.paas.builds.BuildJob;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;

import java.util.List;

/**
 * Which stack builds an app and which buildpacks it tries: the job's buildpacks (the build service passes the app's
 * pins), else the app's pins as stored, else the stack's detection order. Pinned buildpacks all run, in order (a
 * multi-buildpack build), and each must detect; unpinned ones are tried in order and the first that detects builds.
 *
 * @param candidates buildpack slugs in order
 * @param pinned     whether they are pins (all run) rather than a detection order (the first match runs)
 */
public record BuildpackPlan(BuildpackCatalog.Stack stack, List<String> candidates, boolean pinned) {

  /** Resolves the plan of {@code job} from the catalog; fails with a {@link BuildFailedException} saying what is missing. */
  public static Future<BuildpackPlan> resolve(Pool pool, BuildpackCatalog catalog, BuildJob job) {
    return catalog.stack(pool, job.appId()).compose(stack -> {
      if (stack == null) {
        return Future.failedFuture(new BuildFailedException("the platform has no default stack to build on"));
      }
      if ("retired".equals(stack.status())) {
        return Future.failedFuture(new BuildFailedException("the app's stack " + stack.slug() + " is retired: move the app to another stack"));
      }
      List<String> requested = job.buildpacks() == null ? List.of() : job.buildpacks();
      if (!requested.isEmpty()) {
        return catalog.active(pool, requested).compose(active -> requested.stream().filter(slug -> !active.contains(slug)).findFirst()
            .<Future<BuildpackPlan>>map(missing -> Future.failedFuture(new BuildFailedException("buildpack " + missing + " is not offered by the platform")))
            .orElseGet(() -> Future.succeededFuture(new BuildpackPlan(stack, List.copyOf(requested), true))));
      }
      return catalog.pinned(pool, job.appId()).compose(pins -> {
        if (!pins.isEmpty()) {
          return pins.stream().filter(pin -> !pin.active()).findFirst()
              .<Future<BuildpackPlan>>map(pin -> Future.failedFuture(new BuildFailedException("the app pins buildpack " + pin.slug()
                  + ", which the platform no longer offers: change the app's buildpacks")))
              .orElseGet(() -> Future.succeededFuture(new BuildpackPlan(stack, pins.stream().map(BuildpackCatalog.Pin::slug).toList(), true)));
        }
        return catalog.detectionOrder(pool, stack.slug()).compose(order -> order.isEmpty()
            ? Future.failedFuture(new BuildFailedException("the stack " + stack.slug() + " has no buildpacks"))
            : Future.succeededFuture(new BuildpackPlan(stack, order, false)));
      });
    });
  }
}
