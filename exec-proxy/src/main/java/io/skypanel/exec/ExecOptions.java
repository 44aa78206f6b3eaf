package io.skypanel.exec;

import io.skypanel.common.config.Settings;

import java.time.Duration;

/**
 * The exec proxy's limits, read once from {@link Settings} at start.
 *
 * @param idleTimeout        a console session with no bytes either way for this long is ended ({@code SKYPANEL_EXEC_IDLE_TIMEOUT_S})
 * @param maxSession         no session lasts longer; also the ceiling of a one-off exec's {@code timeout_s} ({@code SKYPANEL_EXEC_MAX_SESSION_S})
 * @param maxPerOrganization open sessions (console and one-off) per organization, across every replica
 * @param maxPerUser         open sessions per user, across every replica
 * @param ticketTtl          lifetime of a console ticket ({@code SKYPANEL_EXEC_TICKET_TTL_S})
 * @param outputLimitBytes   bytes of stdout and of stderr a one-off exec returns; the rest is counted, not kept
 * @param transcriptLimitBytes uncompressed bytes of a recorded transcript; later bytes are counted, not kept
 * @param workers            size of the {@code skypanel-exec} worker pool running docker-java calls
 */
public record ExecOptions(Duration idleTimeout, Duration maxSession, int maxPerOrganization, int maxPerUser,
                          Duration ticketTtl, int outputLimitBytes, int transcriptLimitBytes, int workers) {

  /** How long a replica's claim on a session slot lives in Redis without a heartbeat (a crashed replica's slots free themselves). */
  public static final Duration LEASE = Duration.ofSeconds(30);
  /** How often a replica renews the leases of its open sessions. */
  public static final Duration HEARTBEAT = Duration.ofSeconds(10);

  public static ExecOptions from(Settings settings) {
    ExecOptions options = new ExecOptions(
        Duration.ofSeconds(settings.longValue("SKYPANEL_EXEC_IDLE_TIMEOUT_S", 900)),
        Duration.ofSeconds(settings.longValue("SKYPANEL_EXEC_MAX_SESSION_S", 14400)),
        settings.integer("SKYPANEL_EXEC_MAX_SESSIONS_PER_ORG", 20),
        settings.integer("SKYPANEL_EXEC_MAX_SESSIONS_PER_USER", 5),
        Duration.ofSeconds(settings.longValue("SKYPANEL_EXEC_TICKET_TTL_S", 30)),
        settings.integer("SKYPANEL_EXEC_OUTPUT_LIMIT_BYTES", 1_048_576),
        settings.integer("SKYPANEL_EXEC_TRANSCRIPT_MAX_BYTES", 4_194_304),
        settings.integer("SKYPANEL_EXEC_WORKERS", 8));
    options.validate();
    return options;
  }

  private void validate() {
    require(!idleTimeout.isNegative() && !idleTimeout.isZero(), "SKYPANEL_EXEC_IDLE_TIMEOUT_S must be positive");
    require(!maxSession.isNegative() && !maxSession.isZero(), "SKYPANEL_EXEC_MAX_SESSION_S must be positive");
    require(maxPerOrganization > 0, "SKYPANEL_EXEC_MAX_SESSIONS_PER_ORG must be positive");
    require(maxPerUser > 0, "SKYPANEL_EXEC_MAX_SESSIONS_PER_USER must be positive");
    require(!ticketTtl.isNegative() && !ticketTtl.isZero(), "SKYPANEL_EXEC_TICKET_TTL_S must be positive");
    require(outputLimitBytes >= 0, "SKYPANEL_EXEC_OUTPUT_LIMIT_BYTES must not be negative");
    require(transcriptLimitBytes >= 0, "SKYPANEL_EXEC_TRANSCRIPT_MAX_BYTES must not be negative");
    require(workers > 0, "SKYPANEL_EXEC_WORKERS must be positive");
  }

  private static void require(boolean condition, String message) {
    if (!condition) {
      throw new IllegalArgumentException(message);
    }
  }
}
