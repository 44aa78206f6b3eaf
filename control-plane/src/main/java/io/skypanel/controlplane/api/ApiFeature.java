package io.skypanel.controlplane.api;

import io.vertx.ext.web.openapi.router.RouterBuilder;

/** One feature's routes, registered in one place by OpenAPI operation id. */
public interface ApiFeature {

  void mount(RouterBuilder builder, Api api);
}
