package io.skypanel.logs.builds;

import io.skypanel.common.buildlogs.BuildLogStream;
import io.skypanel.logs.stream.LogEntry;
import io.skypanel.logs.stream.ViewerSink;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * One viewer of a running build's log, read from its Redis stream on a connection of its own: {@code XREAD} after
 * the last id sent returns the lines so far at once and then blocks for new ones, so backfill and live lines are one
 * loop with no seam. Each read blocks at most a keep-alive period; an idle period sends a keep-alive and looks at the
 * build in PostgreSQL, so a build that ended without its end entry (its control plane stopped) still ends the stream.
 * The connection goes back to its pool only between reads (never with a blocked read pending), so a departed viewer
 * releases it within a keep-alive period. Confined to the request's context.
 */
final class BuildLogFollow {

  private static final Logger LOG = LoggerFactory.getLogger(BuildLogFollow.class);

  private final RedisConnection connection;
  private final String key;
  private final ViewerSink sink;
  private final boolean follow;
  private final long blockMs;
  private final int batch;
  private final BuildEnded ended;
  private String lastId;
  private boolean closed;
  private boolean finished;

  /** Looks up whether the build has ended meanwhile: its final status, or null while it runs. */
  interface BuildEnded {
    Future<String> status();
  }

  BuildLogFollow(RedisConnection connection, String key, String after, boolean follow, long blockMs, int batch, ViewerSink sink,
                 BuildEnded ended) {
    this.connection = connection;
    this.key = key;
    this.lastId = after == null ? "0-0" : after;
    this.follow = follow;
    this.blockMs = blockMs;
    this.batch = batch;
    this.sink = sink;
    this.ended = ended;
  }

  void start() {
    sink.closeHandler(() -> closed = true);
    read();
  }

  private void read() {
    if (closed || finished) {
      release();
      return;
    }
    if (sink.writeQueueFull()) {
      // a slow viewer holds the reads back instead of buffering the build's whole log here
      sink.drainHandler(this::read);
      return;
    }
    Request xread = Request.cmd(Command.XREAD).arg("COUNT").arg(batch);
    if (follow) {
      xread.arg("BLOCK").arg(blockMs);
    }
    connection.send(xread.arg("STREAMS").arg(key).arg(lastId)).onComplete(done -> {
      if (done.failed()) {
        fail(done.cause());
        return;
      }
      List<BuildLogStream.Entry> entries = entries(done.result());
      if (!entries.isEmpty()) {
        deliver(entries);
        read();
      } else if (!follow) {
        finish(null);
      } else {
        idle();
      }
    });
  }

  /** Nothing new for a while: keep the connection alive and end the stream if the build ended without its end entry. */
  private void idle() {
    if (closed) {
      release();
      return;
    }
    sink.keepAlive();
    ended.status().onComplete(status -> {
      if (status.failed()) {
        fail(status.cause());
      } else if (status.result() == null) {
        read();
      } else {
        // one last look without blocking: lines written just before the end still go first
        connection.send(Request.cmd(Command.XREAD).arg("COUNT").arg(batch).arg("STREAMS").arg(key).arg(lastId)).onComplete(last -> {
          List<BuildLogStream.Entry> entries = last.succeeded() ? entries(last.result()) : List.of();
          deliver(entries);
          if (!finished) {
            finish(status.result());
          }
        });
      }
    });
  }

  private void deliver(List<BuildLogStream.Entry> entries) {
    for (BuildLogStream.Entry entry : entries) {
      if (closed || finished) {
        return;
      }
      lastId = entry.id();
      if (entry.end()) {
        finish(entry.endStatus());
        return;
      }
      sink.entry(new LogEntry(entry.millis() * 1_000_000L, "stdout", entry.line()), entry.id());
    }
  }

  /** Ends the stream: with the {@code end} event when the build has ended ({@code status} not null). */
  private void finish(String status) {
    finished = true;
    if (!closed) {
      if (status != null) {
        sink.notice(endNotice(status));
      }
      sink.end();
    }
    release();
  }

  private void fail(Throwable err) {
    if (!closed) {
      LOG.warn("reading the build log stream {} failed: {}", key, err.getMessage());
      sink.notice(new JsonObject().put("type", "error").put("message", "the live build log is unavailable; try again"));
      sink.end();
    }
    finished = true;
    connection.close();
  }

  private void release() {
    connection.close();
  }

  static JsonObject endNotice(String status) {
    return new JsonObject().put("type", "end").put("status", status);
  }

  /** The entries of an {@code XREAD} reply for one stream ({@code [[key, [[id, fields], ...]]]}, or nil on timeout). */
  private static List<BuildLogStream.Entry> entries(Response reply) {
    List<BuildLogStream.Entry> entries = new ArrayList<>();
    if (reply == null || reply.size() == 0) {
      return entries;
    }
    // RESP3 answers a map key -> entries; RESP2 an array of [key, entries]
    Response stream = reply.isMap() ? reply.get(reply.getKeys().iterator().next()) : reply.get(0).get(1);
    if (stream == null) {
      return entries;
    }
    for (Response element : stream) {
      entries.add(BuildLogStream.Entry.of(element));
    }
    return entries;
  }
}
