package io.skypanel.controlplane.runtime.orchestration;

import com.github.dockerjava.api.model.HealthCheck;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The container's health check: http and tcp probe 127.0.0.1 inside the container with busybox tools, or with bash's
 * {@code /dev/tcp} where the image has none (the buildpack stack's run image), cmd runs a shell command. Pure functions, part of {@link ServiceSpecFactory}.
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
        return List.of("CMD-SHELL", "if command -v wget >/dev/null 2>&1; then wget -q -O /dev/null " + shellWord("http://127.0.0.1:" + port + path)
            + "; else bash -c '" + bashHttpProbe(port) + "' _ " + shellWord(path) + "; fi || exit 1");
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

  /**
   * The http probe for images without wget (the buildpack stack's run image has bash only): a {@code GET <path>
   * HTTP/1.0} over bash's {@code /dev/tcp}, healthy on a 2xx or 3xx status line, as wget would be. The path comes in
   * as {@code $1} (never spliced into the script, so no quoting or printf escapes apply to it).
   */
  private static String bashHttpProbe(int port) {
    return "exec 3<>/dev/tcp/127.0.0.1/" + port + " && printf \"GET %s HTTP/1.0\\r\\nHost: 127.0.0.1\\r\\n\\r\\n\" \"$1\" >&3"
        + " && IFS= read -r -t 10 status <&3 && re=\"^HTTP/[0-9.]+ [23][0-9][0-9]\" && [[ $status =~ $re ]]";
  }

  /** Ordinary URL characters go in as they are; anything else is single-quoted for the shell. */
  private static String shellWord(String text) {
    return SAFE_URL_PATH.matcher(text.startsWith("http://") ? text.substring(text.indexOf('/', 7)) : text).matches()
        ? text : "'" + text.replace("'", "'\\''") + "'";
  }

  private static int port(Integer port) {
    ServiceSpecFactory.require(port != null && port > 0 && port < 65536, "health check needs a port between 1 and 65535");
    return port;
  }
}
