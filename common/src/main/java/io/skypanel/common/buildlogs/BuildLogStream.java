package io.skypanel.common.buildlogs;

import io.vertx.redis.client.Response;

import java.util.UUID;

/**
 * The one definition of how a running build's log travels from the control plane to log-tail: a Redis Stream per
 * build ({@code <prefix>builds:<id>:log}), one entry per line ({@code line=<text>}) and a last entry
 * {@code end=<status>} once the build is recorded as ended. A stream rather than pub/sub because one {@code XRANGE}
 * gives a late viewer the lines so far and the entry ids are a resume cursor ({@code Last-Event-ID}); {@code MAXLEN}
 * bounds it and an expiry removes it some time after its last write (PostgreSQL keeps the final log).
 */
public final class BuildLogStream {

  /** Field of a line entry. */
  public static final String LINE = "line";
  /** Field of the final entry; its value is the build's final status. */
  public static final String END = "end";
  /** Newest entries a stream keeps (approximate trimming). */
  public static final int DEFAULT_MAX_LEN = 10_000;
  /** How long a stream lives after its last write. */
  public static final long DEFAULT_RETAIN_SECONDS = 3600;

  private BuildLogStream() {
  }

  public static String key(String redisPrefix, UUID buildId) {
    return redisPrefix + "builds:" + buildId + ":log";
  }

  /** Whether {@code text} has the shape of a stream entry id ({@code <ms>-<seq>}), usable as a resume cursor. */
  public static boolean isEntryId(String text) {
    return text != null && text.matches("\\d{1,19}-\\d{1,19}");
  }

  /**
   * One entry read back.
   *
   * @param id        the stream entry id ({@code <ms>-<seq>})
   * @param line      the line, or null for the end entry
   * @param endStatus the build's final status on the end entry, else null
   */
  public record Entry(String id, String line, String endStatus) {

    public boolean end() {
      return endStatus != null;
    }

    /** Unix milliseconds when the entry was added (the id's first part). */
    public long millis() {
      return Long.parseLong(id.substring(0, id.indexOf('-')));
    }

    /** Parses one {@code [id, [field, value, ...]]} element of an {@code XRANGE}/{@code XREAD} reply. */
    public static Entry of(Response element) {
      String id = element.get(0).toString();
      Response fields = element.get(1);
      String line = null;
      String end = null;
      for (int i = 0; i + 1 < fields.size(); i += 2) {
        String field = fields.get(i).toString();
        if (LINE.equals(field)) {
          line = fields.get(i + 1).toString();
        } else if (END.equals(field)) {
          end = fields.get(i + 1).toString();
        }
      }
      return new Entry(id, end == null && line == null ? "" : line, end);
    }
  }
}
