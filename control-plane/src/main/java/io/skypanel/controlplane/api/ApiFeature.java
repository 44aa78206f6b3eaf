package io.skypanel.controlplane.api;

import io.vertx.ext.web.Route;
import io.vertx.ext.web.openapi.router.RouterBuilder;

/** One feature's routes, registered in one place by OpenAPI operation id. */
public interface ApiFeature {

  void mount(RouterBuilder builder, Api api);

  /**
   * Mounts an operation the document marks {@code x-skypanel-streamed} (its body is streamed to disk, outside the
   * contract's validation and body limit) on {@code route}, which already has the request paused, a request id and
   * the client address; false when this feature does not serve {@code operationId}.
   */
  default boolean mountStreamed(String operationId, Route route, Api api) {
    return false;
  }
}
