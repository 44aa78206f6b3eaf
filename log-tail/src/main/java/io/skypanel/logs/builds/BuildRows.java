package io.skypanel.logs.builds;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.time.Instant;
import java.util.Set;
import java.util.UUID;

/** Reads source builds (the control plane writes them), always within one organization. */
public final class BuildRows {

  static final String BY_ID = """
      SELECT id, organization_id, status, log, finished_at
        FROM paas_builds
       WHERE id = $1 AND organization_id = $2""";

  private static final Set<String> ENDED = Set.of("succeeded", "failed", "cancelled");

  /**
   * A build as log-tail needs it.
   *
   * @param log        the stored log, final once the build has ended (null before)
   * @param finishedAt when it ended, or null
   */
  public record BuildRow(UUID id, UUID organizationId, String status, String log, Instant finishedAt) {

    public boolean ended() {
      return ENDED.contains(status);
    }
  }

  private final Pool pool;

  public BuildRows(Pool pool) {
    this.pool = pool;
  }

  /** The build, or null when the organization has no such one. */
  public Future<BuildRow> find(UUID id, UUID organizationId) {
    return pool.preparedQuery(BY_ID).execute(Tuple.of(id, organizationId))
        .map(rows -> rows.size() == 0 ? null : toRow(rows.iterator().next()));
  }

  private static BuildRow toRow(Row row) {
    return new BuildRow(row.getUUID("id"), row.getUUID("organization_id"), row.getString("status"), row.getString("log"),
        row.getOffsetDateTime("finished_at") == null ? null : row.getOffsetDateTime("finished_at").toInstant());
  }
}
