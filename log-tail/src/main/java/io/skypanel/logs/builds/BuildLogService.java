package io.skypanel.logs.builds;

import io.skypanel.common.buildlogs.BuildLogStream;
import io.skypanel.common.errors.ApiException;
import io.skypanel.logs.stream.LogEntry;
import io.skypanel.logs.stream.ViewerSink;
import io.vertx.core.Future;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;

import java.time.Instant;
import java.util.List;

/**
 * A build's log for one viewer: while it runs, its Redis stream (the lines so far, then live ones until the
 * {@code end} event); once it has ended, the log stored in PostgreSQL followed by {@code end}. A viewer resuming with
 * a stream id ({@code Last-Event-ID} of a live line) keeps reading the stream even after the end, so it gets just
 * the lines it missed; one whose stream has expired gets only {@code end}.
 */
public final class BuildLogService {

  /** Ids of stored lines: {@code stored-<line number>}, resumable too. */
  static final String STORED = "stored-";

  private final Redis followers;
  private final String redisPrefix;
  private final BuildRows rows;
  private final long blockMs;
  private final int batch;

  /**
   * @param followers a client whose connections each serve one viewer (blocking reads hold a connection)
   * @param blockMs   longest one read blocks: the keep-alive period
   */
  public BuildLogService(Redis followers, String redisPrefix, BuildRows rows, long blockMs, int batch) {
    this.followers = followers;
    this.redisPrefix = redisPrefix;
    this.rows = rows;
    this.blockMs = blockMs;
    this.batch = batch;
  }

  public BuildRows rows() {
    return rows;
  }

  /** Whether {@code text} is a cursor this service understands (a stream id or a stored line id). */
  public static boolean validCursor(String text) {
    return BuildLogStream.isEntryId(text) || (text.startsWith(STORED) && text.substring(STORED.length()).matches("\\d{1,9}"));
  }

  /**
   * Prepares the viewer's stream; completes once it can start (a Redis connection is held for a running build),
   * so failures are still plain errors. {@code start} on the result begins writing to the sink.
   */
  public Future<Session> open(BuildRows.BuildRow build, String resume, boolean follow) {
    boolean streamResume = resume != null && BuildLogStream.isEntryId(resume);
    if (build.ended() && !streamResume) {
      return Future.succeededFuture(sink -> stored(build, resume, sink));
    }
    return followers.connect()
        .recover(err -> Future.failedFuture(ApiException.unavailable("logs_unavailable", "the live build log is unavailable; try again")))
        .map(connection -> sink -> follow(connection, build, streamResume ? resume : null, follow || build.ended(), sink));
  }

  /** A prepared stream. */
  public interface Session {
    void start(ViewerSink sink);
  }

  private void follow(RedisConnection connection, BuildRows.BuildRow build, String after, boolean follow, ViewerSink sink) {
    new BuildLogFollow(connection, BuildLogStream.key(redisPrefix, build.id()), after, follow, blockMs, batch, sink,
        () -> rows.find(build.id(), build.organizationId()).map(row -> row == null ? "cancelled" : row.ended() ? row.status() : null))
        .start();
  }

  private static void stored(BuildRows.BuildRow build, String resume, ViewerSink sink) {
    int skip = resume == null ? 0 : Integer.parseInt(resume.substring(STORED.length()));
    long ts = build.finishedAt() == null ? 0 : toNanos(build.finishedAt());
    List<String> lines = build.log() == null || build.log().isEmpty() ? List.of() : build.log().lines().toList();
    for (int i = skip; i < lines.size(); i++) {
      sink.entry(new LogEntry(ts, "stdout", lines.get(i)), STORED + (i + 1));
    }
    sink.notice(BuildLogFollow.endNotice(build.status()));
    sink.end();
  }

  private static long toNanos(Instant at) {
    return at.getEpochSecond() * 1_000_000_000L + at.getNano();
  }
}
