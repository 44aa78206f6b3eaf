package io.skypanel.controlplane.runtime.orchestration;

import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.HealthCheck;
import com.github.dockerjava.api.model.HostConfig;
import io.skypanel.common.docker.DockerEngine;
import io.skypanel.common.docker.DockerOptions;
import io.skypanel.common.testing.Eventually;
import io.skypanel.controlplane.support.Await;
import io.skypanel.controlplane.support.TestImages;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The http health check on the real engine in the buildpack stack's run image, which has bash but neither wget nor
 * nc: the generated command falls back to bash's {@code /dev/tcp}. The server is busybox httpd in a sibling container
 * whose network namespace the probed container shares (so 127.0.0.1 is the server, as inside one task).
 */
class HealthChecksEngineTest {

  private static final String RUN_IMAGE = "skypanel/stack-run:bookworm";
  private static final String LABEL = "skypanel.test";
  private static final String RUN = "healthchecks-" + UUID.randomUUID().toString().substring(0, 8);
  private static final Duration HEALTHY = Duration.ofSeconds(60);

  private static Vertx vertx;
  private static DockerEngine engine;
  private static String server;
  private static final List<String> containers = new ArrayList<>();

  @BeforeAll
  static void httpServer() {
    String busybox = TestImages.busybox();
    vertx = Vertx.vertx();
    engine = Await.result(DockerEngine.connect(vertx, new DockerOptions(null, 2, 1, 4, 3000, 60000)));
    server = start(busybox, new String[] {"sh", "-c", "mkdir -p /w && echo ok > /w/healthz && exec httpd -f -p 8080 -h /w"},
        HostConfig.newHostConfig().withNetworkMode("none"), null);
  }

  @AfterAll
  static void removeContainers() {
    if (engine != null) {
      for (String id : containers) {
        try {
          Await.result(engine.call(docker -> docker.removeContainerCmd(id).withForce(true).exec()));
        } catch (RuntimeException e) {
          if (!(e.getCause() instanceof NotFoundException)) {
            throw e;
          }
        }
      }
      engine.close();
    }
    if (vertx != null) {
      Await.result(vertx.close());
    }
  }

  @Test
  void http_check_without_wget_is_healthy_on_a_2xx_over_bash_dev_tcp() {
    String probed = probed("/healthz");
    assertThat(health(probed, "healthy")).isEqualTo("healthy");
  }

  @Test
  void http_check_without_wget_is_unhealthy_on_a_404() {
    String probed = probed("/missing");
    assertThat(health(probed, "unhealthy")).isEqualTo("unhealthy");
  }

  /** A run-image container sharing the server's network, with the http check of {@code path} on port 8080. */
  private static String probed(String path) {
    HealthCheck check = HealthChecks.healthCheck(new DesiredService.HealthcheckSpec("http", 8080, path, null, 1, 5, 1, 0));
    return start(RUN_IMAGE, new String[] {"sleep", "infinity"}, HostConfig.newHostConfig().withNetworkMode("container:" + server), check);
  }

  private static String start(String image, String[] command, HostConfig host, HealthCheck check) {
    return Await.result(engine.call(docker -> {
      var create = docker.createContainerCmd(image).withCmd(command).withLabels(Map.of(LABEL, RUN)).withHostConfig(host);
      if (check != null) {
        create.withHealthcheck(check);
      }
      String id = create.exec().getId();
      synchronized (containers) {
        containers.add(id);
      }
      docker.startContainerCmd(id).exec();
      return id;
    }));
  }

  /** Polls the container's health until it is {@code expected} (or the deadline passes), returning the last one seen. */
  private static String health(String id, String expected) {
    return Eventually.await("container " + id + " " + expected, HEALTHY, () -> {
      InspectContainerResponse inspect = Await.result(engine.call(docker -> docker.inspectContainerCmd(id).exec()));
      String status = inspect.getState().getHealth() == null ? null : inspect.getState().getHealth().getStatus();
      return expected.equals(status) ? status : null;
    });
  }
}
