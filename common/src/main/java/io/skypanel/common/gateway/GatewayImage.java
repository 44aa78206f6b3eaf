package io.skypanel.common.gateway;

import io.skypanel.common.docker.DockerEngine;
import io.vertx.core.Future;

/** Placeholder until the gateway image builder lands. */
public final class GatewayImage {

  private final DockerEngine engine;
  private final String baseImage;

  public static final String DEFAULT_BASE_IMAGE = "skypanel/jre:17";

  public GatewayImage(DockerEngine engine, String baseImage) {
    this.engine = engine;
    this.baseImage = baseImage;
  }

  public Future<String> ensure() {
    return Future.failedFuture("gateway image builder not merged yet (" + baseImage + ")");
  }
}
