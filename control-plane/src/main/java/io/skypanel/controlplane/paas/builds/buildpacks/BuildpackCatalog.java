package io.skypanel.controlplane.paas.builds.buildpacks;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** The catalog as the buildpack builder reads it: an app's stack, its detection order, the app's pins. */
public final class BuildpackCatalog {

  /** The app's stack, or the default stack when it names none. */
  private static final String STACK = """
      SELECT s.slug, s.build_image, s.run_image, s.status FROM paas_stacks s
      WHERE s.id = COALESCE((SELECT a.stack_id FROM paas_apps a WHERE a.id = $1), (SELECT d.id FROM paas_stacks d WHERE d.is_default))
      """;
  private static final String DETECTION_ORDER = """
      SELECT b.slug FROM paas_stack_buildpacks sb
      JOIN paas_stacks s ON s.id = sb.stack_id
      JOIN paas_buildpacks b ON b.id = sb.buildpack_id
      WHERE s.slug = $1 AND b.active
      ORDER BY sb.position
      """;
  private static final String PINNED = """
      SELECT b.slug, b.active FROM paas_app_buildpacks p JOIN paas_buildpacks b ON b.id = p.buildpack_id
      WHERE p.app_id = $1 ORDER BY p.position
      """;
  private static final String ACTIVE = "SELECT slug FROM paas_buildpacks WHERE active AND slug = ANY($1)";

  /** A stack as builds use it. */
  public record Stack(String slug, String buildImage, String runImage, String status) {
  }

  /** A buildpack an app pins, with whether the catalog still offers it. */
  public record Pin(String slug, boolean active) {
  }

  /** The app's stack, or null when there is none at all (no default stack in the catalog). */
  public Future<Stack> stack(SqlClient client, UUID appId) {
    return client.preparedQuery(STACK).execute(Tuple.of(appId)).map(rows -> {
      if (rows.size() == 0) {
        return null;
      }
      Row row = rows.iterator().next();
      return new Stack(row.getString("slug"), row.getString("build_image"), row.getString("run_image"), row.getString("status"));
    });
  }

  /** The stack's active buildpacks in detection order. */
  public Future<List<String>> detectionOrder(SqlClient client, String stackSlug) {
    return client.preparedQuery(DETECTION_ORDER).execute(Tuple.of(stackSlug)).map(rows -> {
      List<String> slugs = new ArrayList<>();
      rows.forEach(row -> slugs.add(row.getString("slug")));
      return slugs;
    });
  }

  /** The app's pinned buildpacks in order (empty: none). */
  public Future<List<Pin>> pinned(SqlClient client, UUID appId) {
    return client.preparedQuery(PINNED).execute(Tuple.of(appId)).map(rows -> {
      List<Pin> pins = new ArrayList<>();
      rows.forEach(row -> pins.add(new Pin(row.getString("slug"), row.getBoolean("active"))));
      return pins;
    });
  }

  /** Those of {@code slugs} the catalog offers (active). */
  public Future<List<String>> active(SqlClient client, List<String> slugs) {
    return client.preparedQuery(ACTIVE).execute(Tuple.of(slugs.toArray(String[]::new))).map(rows -> {
      List<String> found = new ArrayList<>();
      rows.forEach(row -> found.add(row.getString("slug")));
      return found;
    });
  }
}
