package io.skypanel.common.testing;

import io.skypanel.common.docker.DockerEngine;
import io.skypanel.common.gateway.EdgeGateway;
import io.skypanel.common.gateway.GatewayImage;
import io.vertx.core.Vertx;

import java.util.Map;

/**
 * An edge gateway of a test's own (its own container name and labels), so a test reaches tasks on their overlay
 * addresses exactly as the edge does, through the SOCKS5 relay on loopback. Remove it after the class.
 */
public final class TestGateway {

  private TestGateway() {
  }

  public static EdgeGateway create(Vertx vertx, DockerEngine engine, String name, Map<String, String> labels) {
    return new EdgeGateway(vertx, engine, () -> new GatewayImage(engine).ensure().map(GatewayImage.Ensured::tag),
        "skypanel-test-gw-" + name, labels);
  }
}
