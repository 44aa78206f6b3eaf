package io.skypanel.controlplane.admin;

import io.skypanel.controlplane.api.Cursor;
import io.skypanel.controlplane.api.Pages;
import io.skypanel.controlplane.auth.UserRepository;
import io.skypanel.controlplane.organizations.OrganizationRepository;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;

/** Platform-wide listings for platform administrators. */
public final class AdminService {

  private final Pool pool;
  private final UserRepository users = new UserRepository();
  private final OrganizationRepository organizations = new OrganizationRepository();

  public AdminService(Pool pool) {
    this.pool = pool;
  }

  public Future<JsonObject> users(Cursor cursor, int limit) {
    return users.page(pool, cursor == null ? null : cursor.createdAt(), cursor == null ? null : cursor.id(), limit + 1)
        .map(rows -> Pages.of(rows.stream().map(UserRepository.User::toJson).toList(), limit));
  }

  public Future<JsonObject> organizations(Cursor cursor, int limit) {
    return organizations.pageAll(pool, cursor == null ? null : cursor.createdAt(), cursor == null ? null : cursor.id(), limit + 1)
        .map(rows -> Pages.of(rows, limit));
  }
}
