package io.skypanel.controlplane.activity;

import io.skypanel.controlplane.api.Cursor;
import io.skypanel.controlplane.api.Pages;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;

import java.util.UUID;

/** Reads an organization's activity log, newest first, optionally narrowed by an action prefix. */
public final class ActivityService {

  private final Pool pool;
  private final ActivityRepository activity = new ActivityRepository();

  public ActivityService(Pool pool) {
    this.pool = pool;
  }

  public Future<JsonObject> page(UUID organizationId, String actionPrefix, Cursor cursor, int limit) {
    return activity.page(pool, organizationId, actionPrefix, cursor == null ? null : cursor.createdAt(), cursor == null ? null : cursor.id(), limit + 1)
        .map(rows -> Pages.of(rows, limit));
  }
}
