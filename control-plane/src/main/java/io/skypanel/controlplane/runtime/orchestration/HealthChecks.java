package io.skypanel.controlplane.runtime.orchestration;

import com.github.dockerjava.api.model.HealthCheck;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The container's health check: http and tcp probe 127.0.0.1 inside the container with busybox tools, cmd runs a
 * shell command. Pure functions, part of {@link ServiceSpecFactory}.
 */
public final class HealthChecks {

  private static final Pattern SAFE_URL_PATH = Pattern.compile("/[A-Za-z0-9._~/%?=+:@,-]*");

  private HealthChecks() {
  }

  /** The health check of the container, or null to keep the image's own. */
  static HealthCheck healthCheck(DesiredService.HealthcheckSpec spec) {
    if (spec == null || spec.type() == null) {
      return null;
    }
    List<String> test = healthcheckTest(spec);
    HealthCheck health = new HealthCheck().withTest(test);
    if (test.size() == 1) {
      return health; // NONE
    }
    if (spec.intervalSeconds() > 0) {
      health.withInterval(Duration.ofSeconds(spec.intervalSeconds()).toNanos());
    }
    if (spec.timeoutSeconds() > 0) {
      health.withTimeout(Duration.ofSeconds(spec.timeoutSeconds()).toNanos());
    }
    if (spec.retries() > 0) {
      health.withRetries(spec.retries());
    }
    if (spec.startPeriodSeconds() > 0) {
      health.withStartPeriod(Duration.ofSeconds(spec.startPeriodSeconds()).toNanos());
    }
    return health;
  }

  /** The {@code Test} of the health check: http and tcp probe 127.0.0.1 inside the container. */
  public static List<String> healthcheckTest(DesiredService.HealthcheckSpec spec) {
    String type = spec.type().toLowerCase(Locale.ROOT);
    switch (type) {
      case "http" -> {
        int port = port(spec.port());
        String path = spec.path() == null || spec.path().isEmpty() ? "/" : spec.path();
        ServiceSpecFactory.require(path.startsWith("/") && path.indexOf('\n') < 0 && path.indexOf('\0') < 0, "health check path must start with /");
        String url = "http://127.0.0.1:" + port + path;
        // paths of ordinary URL characters go in as they are; anything else is single-quoted for the shell
        String arg = SAFE_URL_PATH.matcher(path).matches() ? url : "'" + url.replace("'", "'\\''") + "'";
        return List.of("CMD-SHELL", "wget -q -O /dev/null " + arg + " || exit 1");
      }
      case "tcp" -> {
        // busybox's nc has no -z: connecting with stdin closed succeeds exactly when the port accepts. Images without
        // nc (the buildpack stack's run image is Debian without netcat) are probed with bash's /dev/tcp instead.
        int port = port(spec.port());
        return List.of("CMD-SHELL", "if command -v nc >/dev/null 2>&1; then nc -w 2 127.0.0.1 " + port
            + " </dev/null; else bash -c 'exec 3<>/dev/tcp/127.0.0.1/" + port + "'; fi || exit 1");
      }
      case "cmd" -> {
        ServiceSpecFactory.require(spec.command() != null && !spec.command().isBlank(), "a cmd health check needs a command");
        return List.of("CMD-SHELL", spec.command());
      }
      case "none" -> {
        return List.of("NONE");
      }
      default -> throw new IllegalArgumentException("unknown health check type: " + spec.type());
    }
  }

  private static int port(Integer port) {
    ServiceSpecFactory.require(port != null && port > 0 && port < 65536, "health check needs a port between 1 and 65535");
    return port;
  }
}
