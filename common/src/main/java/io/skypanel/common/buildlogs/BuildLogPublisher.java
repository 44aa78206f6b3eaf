package io.skypanel.common.buildlogs;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Writes build logs to their {@link BuildLogStream}s. Builders write lines from any thread; each build's lines are
 * sent in order as batches on one connection (a batch at a time, so a pooled client cannot reorder them). A Redis
 * failure loses live lines only (the stored log in PostgreSQL is whole); it is logged once per build.
 */
public final class BuildLogPublisher {

  private static final Logger LOG = LoggerFactory.getLogger(BuildLogPublisher.class);

  private final Redis redis;
  private final String prefix;
  private final int maxLen;
  private final long retainSeconds;

  public BuildLogPublisher(Redis redis, String redisPrefix, int maxLen, long retainSeconds) {
    this.redis = redis;
    this.prefix = redisPrefix;
    this.maxLen = maxLen;
    this.retainSeconds = retainSeconds;
  }

  /** The writer of one build's stream. */
  public Writer open(UUID buildId) {
    return new Writer(BuildLogStream.key(prefix, buildId), buildId);
  }

  /** One build's stream: lines, then one end. Thread-safe; never blocks. */
  public final class Writer {

    private final String key;
    private final UUID buildId;
    // guarded by this
    private List<Request> pending = new ArrayList<>();
    private List<Promise<Void>> waiting = new ArrayList<>();
    private boolean sending;
    private boolean ended;
    private boolean failureLogged;

    private Writer(String key, UUID buildId) {
      this.key = key;
      this.buildId = buildId;
    }

    public void line(String text) {
      enqueue(BuildLogStream.LINE, text, null);
    }

    /** Appends the end entry; completes once it (and every line before it) was sent, or failed to be. */
    public Future<Void> end(String status) {
      Promise<Void> sent = Promise.promise();
      enqueue(BuildLogStream.END, status, sent);
      return sent.future();
    }

    private void enqueue(String field, String value, Promise<Void> sent) {
      synchronized (this) {
        if (ended) {
          if (sent != null) {
            sent.complete();
          }
          return;
        }
        ended = BuildLogStream.END.equals(field);
        pending.add(Request.cmd(Command.XADD).arg(key).arg("MAXLEN").arg("~").arg(maxLen).arg("*").arg(field).arg(value));
        if (sent != null) {
          waiting.add(sent);
        }
        if (sending) {
          return;
        }
        sending = true;
      }
      flush();
    }

    private void flush() {
      List<Request> batch;
      List<Promise<Void>> done;
      synchronized (this) {
        if (pending.isEmpty()) {
          sending = false;
          return;
        }
        batch = pending;
        done = waiting;
        pending = new ArrayList<>();
        waiting = new ArrayList<>();
      }
      // the expiry moves with every write: a stream outlives its build by retainSeconds, even one whose end never came
      batch.add(Request.cmd(Command.EXPIRE).arg(key).arg(retainSeconds));
      redis.batch(batch).onComplete(result -> {
        if (result.failed()) {
          boolean first;
          synchronized (this) {
            first = !failureLogged;
            failureLogged = true;
          }
          if (first) {
            LOG.warn("build {}: publishing its live log to Redis failed, viewers miss lines (the stored log is whole): {}",
                buildId, result.cause().getMessage());
          }
        }
        done.forEach(Promise::tryComplete);
        flush();
      });
    }
  }
}
