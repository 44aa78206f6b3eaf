package io.skypanel.common.db;

import io.skypanel.common.testing.TestServers;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationVersion;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The migrations in {@code migrations/} against a real PostgreSQL: they apply to an empty database, re-running
 * them changes nothing, a failing migration leaves nothing behind, and the schema keeps the conventions the
 * services rely on (updated_at triggers, organization scoping, CHECKed enums, tenant-safe foreign keys).
 */
class MigrationsTest {

  private static final Pattern VERSIONED = Pattern.compile("V([0-9]+(?:[._][0-9]+)*)__.+\\.sql");

  private static final List<String> EXPECTED_TABLES = List.of(
      "users", "organizations", "organization_members", "api_tokens", "activity_logs", "platform_settings",
      "refresh_tokens",
      "caas_isolation_tiers", "paas_nodes", "paas_plans", "paas_stacks", "paas_buildpacks", "paas_stack_buildpacks",
      "paas_templates", "paas_apps", "paas_environments", "paas_deployments", "paas_releases", "paas_processes",
      "paas_runs", "paas_autoscaling_rules", "paas_containers", "caas_container_secrets", "paas_domains",
      "paas_volumes", "caas_volume_snapshots", "paas_addon_plans", "paas_addons", "paas_webhooks", "paas_usage",
      "caas_image_policies", "caas_registry_credentials", "caas_network_policies", "caas_exec_audit",
      "caas_container_events", "paas_app_buildpacks", "paas_source_webhooks", "paas_source_webhook_deliveries", "paas_builds");

  /** Append-only tables: rows are never updated, so they carry no updated_at. */
  private static final Set<String> APPEND_ONLY_TABLES = Set.of("activity_logs", "caas_container_events");

  /** Platform-wide catalog and infrastructure tables: no owning organization. */
  private static final Set<String> CATALOG_TABLES = Set.of(
      "paas_plans", "paas_stacks", "paas_buildpacks", "paas_stack_buildpacks", "paas_templates", "paas_addon_plans",
      "caas_isolation_tiers", "paas_nodes");

  private static final List<DatabaseOptions> DATABASES = new CopyOnWriteArrayList<>();
  private static DatabaseOptions db;
  private static Migrator.Result firstRun;

  @BeforeAll
  static void migrateEmptyDatabase() {
    db = newDatabase();
    firstRun = Migrator.run(db);
  }

  @AfterAll
  static void dropDatabases() {
    for (DatabaseOptions options : DATABASES) {
      TestServers.dropDatabase(options);
    }
  }

  // ---------------------------------------------------------------------------------------------------------
  // Applying

  @Test
  void applies_every_migration_to_an_empty_database() throws Exception {
    List<String> files = migrationFiles();
    assertThat(files).contains("V3__paas_caas_schema.sql", "V4__seed_catalog.sql");

    assertThat(firstRun.applied()).isEqualTo(files.size());
    assertThat(MigrationVersion.fromVersion(firstRun.version())).isEqualTo(highestVersion(files));

    try (Connection c = connect(db)) {
      List<String> tables = strings(c, """
          SELECT table_name FROM information_schema.tables
          WHERE table_schema = 'public' AND table_type = 'BASE TABLE'""");
      assertThat(tables).containsAll(EXPECTED_TABLES);
      assertThat(strings(c, "SELECT version FROM flyway_schema_history WHERE success AND version IS NOT NULL"))
          .hasSize(files.size());
    }
  }

  @Test
  void reapplying_is_a_no_op() {
    Migrator.Result again = Migrator.run(db);

    assertThat(again.applied()).isZero();
    assertThat(again.version()).isEqualTo(firstRun.version());
  }

  @Test
  void a_failed_migration_leaves_nothing_half_written(@TempDir Path tmp) throws Exception {
    Files.writeString(tmp.resolve("V99__half_written.sql"), """
        CREATE TABLE v99_half_written (id integer PRIMARY KEY);
        INSERT INTO v99_no_such_table (id) VALUES (1);
        """);
    DatabaseOptions scratch = newDatabase();
    Flyway flyway = Flyway.configure()
        .dataSource(scratch.jdbcUrl(), scratch.user(), scratch.password())
        .locations("classpath:db/migration", "filesystem:" + tmp.toAbsolutePath())
        .loggers("slf4j")
        .load();

    assertThatThrownBy(flyway::migrate).isInstanceOf(FlywayException.class).hasMessageContaining("v99_no_such_table");

    try (Connection c = connect(scratch)) {
      assertThat(count(c, "SELECT count(*) FROM information_schema.tables WHERE table_name = 'v99_half_written'")).isZero();
      assertThat(count(c, "SELECT count(*) FROM flyway_schema_history WHERE version = '99' AND success")).isZero();
      // every migration before the broken one committed on its own; the schema stays at the last good version
      assertThat(count(c, "SELECT count(*) FROM information_schema.tables WHERE table_name = 'paas_containers'")).isOne();
      assertThat(flyway.info().current().getVersion()).isEqualTo(highestVersion(migrationFiles()));
    }
  }

  // ---------------------------------------------------------------------------------------------------------
  // Conventions

  @Test
  void every_table_with_updated_at_has_the_trigger_and_it_refreshes_the_column() throws Exception {
    try (Connection c = connect(db)) {
      newTenant(c);
      List<String> withUpdatedAt = strings(c, """
          SELECT table_name FROM information_schema.columns
          WHERE table_schema = 'public' AND column_name = 'updated_at' ORDER BY table_name""");
      // row-level (1), BEFORE (2), UPDATE (16)
      List<String> withTrigger = strings(c, """
          SELECT DISTINCT cl.relname FROM pg_trigger t
          JOIN pg_class cl ON cl.oid = t.tgrelid
          JOIN pg_namespace n ON n.oid = cl.relnamespace
          JOIN pg_proc p ON p.oid = t.tgfoid
          WHERE n.nspname = 'public' AND p.proname = 'skypanel_set_updated_at' AND NOT t.tgisinternal
            AND t.tgenabled <> 'D' AND (t.tgtype & 1) = 1 AND (t.tgtype & 2) = 2 AND (t.tgtype & 16) = 16""");

      assertThat(withUpdatedAt).containsAll(EXPECTED_TABLES.stream().filter(t -> !APPEND_ONLY_TABLES.contains(t)).toList());
      assertThat(withTrigger).containsExactlyInAnyOrderElementsOf(withUpdatedAt);

      // the fixture put at least one row in every table; an update that tries to set an old timestamp gets now()
      for (String table : withUpdatedAt) {
        assertThat(count(c, "SELECT count(*) FROM " + table)).as(table + " rows").isPositive();
        execute(c, "UPDATE " + table + " SET updated_at = timestamptz '2000-01-01 00:00:00+00'");
        assertThat(count(c, "SELECT count(*) FROM " + table + " WHERE updated_at <= timestamptz '2000-01-01 00:00:00+00'"))
            .as(table + " rows whose updated_at was not refreshed").isZero();
      }
    }
  }

  @Test
  void every_tenant_table_is_scoped_by_organization() throws Exception {
    try (Connection c = connect(db)) {
      List<String> tenantTables = strings(c, """
          SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = 'public' AND c.relkind = 'r' AND (c.relname LIKE 'paas\\_%' OR c.relname LIKE 'caas\\_%')
          ORDER BY c.relname""").stream().filter(t -> !CATALOG_TABLES.contains(t)).toList();
      assertThat(tenantTables).contains("paas_apps", "paas_containers", "paas_usage", "caas_exec_audit", "caas_container_secrets");

      for (String table : tenantTables) {
        assertThat(strings(c, """
            SELECT data_type || ' ' || is_nullable FROM information_schema.columns
            WHERE table_schema = 'public' AND table_name = ? AND column_name = 'organization_id'""", table))
            .as(table + ".organization_id").containsExactly("uuid NO");
        assertThat(count(c, """
            SELECT count(*) FROM pg_constraint k
            JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attname = 'organization_id'
            WHERE k.conrelid = ?::regclass AND k.contype = 'f' AND k.confrelid = 'organizations'::regclass
              AND k.conkey = ARRAY[a.attnum] AND k.confdeltype = 'c'""", table))
            .as(table + " cascading foreign key to organizations").isOne();
        assertThat(count(c, """
            SELECT count(*) FROM pg_index i
            JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attname = 'organization_id'
            WHERE i.indrelid = ?::regclass AND i.indkey[0] = a.attnum""", table))
            .as(table + " index led by organization_id").isPositive();
      }
    }
  }

  @Test
  void check_constraints_reject_unknown_enum_values() throws Exception {
    try (Connection c = connect(db)) {
      Tenant t = newTenant(c);

      assertRejected("23514", "paas_processes_type_check", () -> execute(c, """
          INSERT INTO paas_processes (organization_id, environment_id, name, type) VALUES (?, ?, 'daemon', 'daemon')""",
          t.org, t.environment));
      assertRejected("23514", "paas_containers_status_check", () -> execute(c,
          "UPDATE paas_containers SET status = 'zombie' WHERE id = ?", t.container));
      assertRejected("23514", "paas_containers_restart_policy_check", () -> execute(c,
          "UPDATE paas_containers SET restart_policy = 'always' WHERE id = ?", t.container));
      assertRejected("23514", "paas_containers_replicas_check", () -> execute(c,
          "UPDATE paas_containers SET replicas = -1 WHERE id = ?", t.container));
      assertRejected("23514", "paas_domains_cert_status_check", () -> execute(c,
          "UPDATE paas_domains SET cert_status = 'expired' WHERE organization_id = ?", t.org));
      assertRejected("23514", "caas_network_policies_egress_mode_check", () -> execute(c,
          "UPDATE caas_network_policies SET egress_mode = 'maybe' WHERE organization_id = ?", t.org));
      assertRejected("23514", "paas_usage_metric_check", () -> execute(c,
          "UPDATE paas_usage SET metric = 'gpu_seconds' WHERE organization_id = ?", t.org));
      assertRejected("23514", "paas_processes_schedule_check", () -> execute(c, """
          INSERT INTO paas_processes (organization_id, environment_id, name, type) VALUES (?, ?, 'nightly', 'cron')""",
          t.org, t.environment));
      assertRejected("23514", "paas_environments_deploy_mode_check", () -> execute(c,
          "UPDATE paas_environments SET deploy_mode = 'dockerfile' WHERE id = ?", t.environment));
    }
  }

  @Test
  void seed_catalog_is_present() throws Exception {
    try (Connection c = connect(db)) {
      assertThat(strings(c, "SELECT id FROM caas_isolation_tiers ORDER BY sort_order"))
          .containsExactly("standard", "enhanced", "dedicated");
      assertThat(count(c, "SELECT count(*) FROM paas_plans WHERE active")).isGreaterThanOrEqualTo(3);
      assertThat(strings(c, "SELECT slug FROM paas_plans WHERE active ORDER BY price_monthly"))
          .startsWith("hobby", "basic", "standard", "performance");
      // limits grow with the price
      assertThat(count(c, """
          SELECT count(*) FROM paas_plans a JOIN paas_plans b ON b.price_monthly > a.price_monthly
          WHERE b.cpu < a.cpu OR b.memory_mb < a.memory_mb OR b.max_containers < a.max_containers""")).isZero();
      // V13: the stack with local images is the default; its buildpacks are the shipped ones, static and procfile last
      assertThat(strings(c, "SELECT slug FROM paas_stacks WHERE is_default")).containsExactly("skypanel-bookworm");
      assertThat(strings(c, "SELECT build_image || ' ' || run_image FROM paas_stacks WHERE is_default"))
          .containsExactly("skypanel/stack-build:bookworm skypanel/stack-run:bookworm");
      assertThat(strings(c, """
          SELECT b.slug || ' ' || b.source_type FROM paas_stack_buildpacks sb
          JOIN paas_stacks s ON s.id = sb.stack_id JOIN paas_buildpacks b ON b.id = sb.buildpack_id
          WHERE s.slug = 'skypanel-bookworm' ORDER BY sb.position"""))
          .containsExactly("nodejs builtin", "python builtin", "static builtin", "procfile builtin");
      assertThat(strings(c, "SELECT slug FROM paas_buildpacks WHERE source_type = 'git' AND active")).isEmpty();

      UUID user = uuid(c, "INSERT INTO users (email, name, password_hash) VALUES (?, 'Seed', 'x') RETURNING id",
          "seed-" + suffix() + "@example.com");
      UUID org = uuid(c, "INSERT INTO organizations (name, slug, created_by) VALUES ('Seed', ?, ?) RETURNING id",
          "seed-" + suffix(), user);
      assertThat(strings(c, "SELECT isolation_tier || ' ' || (plan_id IS NULL) FROM organizations WHERE id = ?", org))
          .containsExactly("standard true");
      assertRejected("23503", "organizations_isolation_tier_fk", () -> execute(c,
          "UPDATE organizations SET isolation_tier = 'paranoid' WHERE id = ?", org));
    }
  }

  // ---------------------------------------------------------------------------------------------------------
  // Tenancy and delete rules

  @Test
  void rows_cannot_reference_another_organizations_parent() throws Exception {
    try (Connection c = connect(db)) {
      Tenant a = newTenant(c);
      Tenant b = newTenant(c);

      assertRejected("23503", "paas_environments_app_fk", () -> execute(c,
          "INSERT INTO paas_environments (organization_id, app_id, name) VALUES (?, ?, 'staging')", b.org, a.app));
      assertRejected("23503", "paas_domains_container_fk", () -> execute(c, """
          INSERT INTO paas_domains (organization_id, hostname, container_id, verification_token)
          VALUES (?, 'stolen.example.com', ?, 'tok_0123456789abcdef')""", b.org, a.container));
      assertRejected("23503", "caas_container_secrets_container_fk", () -> execute(c, """
          INSERT INTO caas_container_secrets (organization_id, container_id, name, sealed_value)
          VALUES (?, ?, 'TOKEN', 'sealed')""", b.org, a.container));
      assertRejected("23503", "paas_containers_registry_credential_fk", () -> execute(c,
          "UPDATE paas_containers SET registry_credential_id = ? WHERE id = ?", a.registryCredential, b.container));
      assertRejected("23503", "caas_volume_snapshots_volume_fk", () -> execute(c,
          "INSERT INTO caas_volume_snapshots (organization_id, volume_id) VALUES (?, ?)", b.org, a.volume));
    }
  }

  @Test
  void deleting_an_organization_removes_every_row_it_owns() throws Exception {
    try (Connection c = connect(db)) {
      Tenant t = newTenant(c);
      Tenant other = newTenant(c);
      List<String> tenantTables = strings(c, """
          SELECT table_name FROM information_schema.columns
          WHERE table_schema = 'public' AND column_name = 'organization_id' AND table_name <> 'organizations'""");

      execute(c, "DELETE FROM organizations WHERE id = ?", t.org);

      for (String table : tenantTables) {
        assertThat(count(c, "SELECT count(*) FROM " + table + " WHERE organization_id = ?", t.org)).as(table).isZero();
        if (!table.equals("activity_logs") && !table.equals("organization_members")) {
          assertThat(count(c, "SELECT count(*) FROM " + table + " WHERE organization_id = ?", other.org)).as(table).isPositive();
        }
      }
      // a dedicated node goes back to the pool; the user and the catalog stay
      assertThat(strings(c, "SELECT (dedicated_organization_id IS NULL)::text FROM paas_nodes WHERE id = ?", t.node))
          .containsExactly("true");
      assertThat(count(c, "SELECT count(*) FROM users WHERE id = ?", t.user)).isOne();
    }
  }

  @Test
  void deletes_keep_history_and_refuse_to_orphan_in_use_rows() throws Exception {
    try (Connection c = connect(db)) {
      Tenant t = newTenant(c);

      // a volume's snapshots (and their archives) go first
      assertRejected("23503", "caas_volume_snapshots_volume_fk", () -> execute(c, "DELETE FROM paas_volumes WHERE id = ?", t.volume));
      // a credential in use, and the release an environment runs, cannot be pulled from under them
      assertRejected("23503", "paas_containers_registry_credential_fk", () -> execute(c,
          "DELETE FROM caas_registry_credentials WHERE id = ?", t.registryCredential));
      assertRejected("23503", "paas_environments_current_release_fk", () -> execute(c,
          "DELETE FROM paas_releases WHERE id = ?", t.release));
      // a catalog plan in use is deactivated, not deleted
      assertRejected("23503", null, () -> execute(c, "DELETE FROM paas_plans WHERE slug = 'basic'"));

      // deleting a container takes its secrets, domains and autoscaling rules, but the exec audit stays
      execute(c, "DELETE FROM paas_containers WHERE id = ?", t.container);
      assertThat(count(c, "SELECT count(*) FROM caas_container_secrets WHERE organization_id = ?", t.org)).isZero();
      assertThat(count(c, "SELECT count(*) FROM paas_domains WHERE container_id IS NOT NULL AND organization_id = ?", t.org)).isZero();
      assertThat(count(c, "SELECT count(*) FROM paas_autoscaling_rules WHERE container_id IS NOT NULL AND organization_id = ?", t.org)).isZero();
      assertThat(count(c, "SELECT count(*) FROM caas_exec_audit WHERE container_id = ?", t.container)).isOne();

      // deleting the app takes environments, releases, deployments, processes, runs, add-ons and webhooks
      execute(c, "DELETE FROM paas_apps WHERE id = ?", t.app);
      for (String table : List.of("paas_environments", "paas_releases", "paas_deployments", "paas_processes", "paas_runs",
          "paas_addons", "paas_webhooks", "paas_domains", "paas_autoscaling_rules")) {
        assertThat(count(c, "SELECT count(*) FROM " + table + " WHERE organization_id = ?", t.org)).as(table).isZero();
      }
    }
  }

  // ---------------------------------------------------------------------------------------------------------
  // Table-specific rules

  @Test
  void domains_have_exactly_one_target_and_a_verified_hostname_has_one_owner() throws Exception {
    try (Connection c = connect(db)) {
      Tenant a = newTenant(c);
      Tenant b = newTenant(c);
      String host = "shop-" + suffix() + ".example.com";

      assertRejected("23514", "paas_domains_target_check", () -> execute(c, """
          INSERT INTO paas_domains (organization_id, hostname, container_id, environment_id, verification_token)
          VALUES (?, ?, ?, ?, 'tok_0123456789abcdef')""", a.org, host, a.container, a.environment));
      assertRejected("23514", "paas_domains_target_check", () -> execute(c, """
          INSERT INTO paas_domains (organization_id, hostname, verification_token)
          VALUES (?, ?, 'tok_0123456789abcdef')""", a.org, host));
      assertRejected("23514", "paas_domains_hostname_check", () -> execute(c, """
          INSERT INTO paas_domains (organization_id, hostname, container_id, verification_token)
          VALUES (?, 'Shop.Example.com', ?, 'tok_0123456789abcdef')""", a.org, a.container));

      execute(c, """
          INSERT INTO paas_domains (organization_id, hostname, container_id, verification_token, verified_at)
          VALUES (?, ?, ?, 'tok_aaaaaaaaaaaaaaaa', now())""", a.org, host, a.container);
      // another organization may claim it, but not verify it while A holds it
      UUID claim = uuid(c, """
          INSERT INTO paas_domains (organization_id, hostname, container_id, verification_token)
          VALUES (?, ?, ?, 'tok_bbbbbbbbbbbbbbbb') RETURNING id""", b.org, host, b.container);
      assertRejected("23505", "paas_domains_verified_hostname_key", () -> execute(c,
          "UPDATE paas_domains SET verified_at = now() WHERE id = ?", claim));
      // an issued certificate needs its material
      assertRejected("23514", "paas_domains_cert_check", () -> execute(c,
          "UPDATE paas_domains SET cert_status = 'issued' WHERE id = ?", claim));
    }
  }

  @Test
  void usage_is_hourly_in_utc_and_upserts_are_idempotent() throws Exception {
    try (Connection c = connect(db)) {
      Tenant t = newTenant(c);
      // a half-hour time zone: its local hours are not UTC hours
      execute(c, "SET TIME ZONE 'Asia/Kolkata'");
      String upsert = """
          INSERT INTO paas_usage (organization_id, resource_type, resource_id, metric, period_start, quantity, amount)
          VALUES (?, 'container', ?, 'egress_bytes', timestamptz '2030-01-01 10:00:00+00', ?, ?)
          ON CONFLICT (organization_id, resource_type, resource_id, metric, period_start)
          DO UPDATE SET quantity = EXCLUDED.quantity, amount = EXCLUDED.amount""";
      execute(c, upsert, t.org, t.container, 100, 0.5);
      execute(c, upsert, t.org, t.container, 250, 1.25);

      assertThat(strings(c, """
          SELECT quantity::bigint || ' ' || amount::numeric(10, 2) FROM paas_usage
          WHERE organization_id = ? AND metric = 'egress_bytes'""", t.org)).containsExactly("250 1.25");
      assertRejected("23514", "paas_usage_hour_aligned_check", () -> execute(c, """
          INSERT INTO paas_usage (organization_id, resource_type, resource_id, metric, period_start)
          VALUES (?, 'container', ?, 'requests', timestamptz '2030-01-01 10:00:00+05:30')""", t.org, t.container));
    }
  }

  @Test
  void a_closed_exec_session_is_final() throws Exception {
    try (Connection c = connect(db)) {
      Tenant t = newTenant(c);
      UUID session = uuid(c, """
          INSERT INTO caas_exec_audit (organization_id, container_id, container_name, user_id, task_id, command, tty, client_ip)
          VALUES (?, ?, 'web', ?, 'task0001', ARRAY['/bin/sh'], true, '203.0.113.9') RETURNING id""",
          t.org, t.container, t.user);

      execute(c, """
          UPDATE caas_exec_audit SET status = 'completed', ended_at = started_at + interval '5 seconds', duration_ms = 5000,
            exit_code = 0, end_reason = 'client closed', bytes_in = 12, bytes_out = 340 WHERE id = ?""", session);
      execute(c, "UPDATE caas_exec_audit SET transcript = '\\x6c730a'::bytea WHERE id = ?", session);

      assertRejected("42501", null, () -> execute(c, "UPDATE caas_exec_audit SET exit_code = 1 WHERE id = ?", session));
      assertRejected("42501", null, () -> execute(c, "UPDATE caas_exec_audit SET transcript = '\\x00'::bytea WHERE id = ?", session));
      assertRejected("23514", "caas_exec_audit_status_check", () -> execute(c, """
          INSERT INTO caas_exec_audit (organization_id, container_id, container_name, user_id, command, status, ended_at)
          VALUES (?, ?, 'web', ?, ARRAY['ls'], 'detached', now())""", t.org, t.container, t.user));
      assertThat(strings(c, "SELECT status || ' ' || exit_code FROM caas_exec_audit WHERE id = ?", session))
          .containsExactly("completed 0");
    }
  }

  // ---------------------------------------------------------------------------------------------------------
  // Fixture: one organization with a row in every tenant table (and a few catalog rows of its own)

  private static final class Tenant {
    UUID user;
    UUID org;
    UUID app;
    UUID environment;
    UUID release;
    UUID process;
    UUID registryCredential;
    UUID container;
    UUID volume;
    UUID node;
  }

  private static Tenant newTenant(Connection c) throws SQLException {
    String s = suffix();
    Tenant t = new Tenant();
    t.user = uuid(c, "INSERT INTO users (email, name, password_hash) VALUES (?, 'Owner', 'x') RETURNING id", "owner-" + s + "@example.com");
    t.org = uuid(c, "INSERT INTO organizations (name, slug, created_by) VALUES ('Acme', ?, ?) RETURNING id", "acme-" + s, t.user);
    execute(c, "INSERT INTO organization_members (organization_id, user_id, role) VALUES (?, ?, 'owner')", t.org, t.user);
    execute(c, "UPDATE organizations SET plan_id = (SELECT id FROM paas_plans WHERE slug = 'standard') WHERE id = ?", t.org);
    // the V1/V2 tables too, so every table with updated_at has a row to update
    execute(c, "INSERT INTO api_tokens (user_id, name, token_hash, prefix) VALUES (?, 'ci', repeat('d', 56) || ?, 'skp_')",
        t.user, s.substring(0, 8));
    execute(c, """
        INSERT INTO refresh_tokens (user_id, family_id, token_hash, expires_at)
        VALUES (?, gen_random_uuid(), repeat('e', 56) || ?, now() + interval '30 days')""", t.user, s.substring(0, 8));
    execute(c, "INSERT INTO platform_settings (key, value) VALUES (?, '{\"enabled\": true}')", "test.fixture_" + s);

    t.node = uuid(c, """
        INSERT INTO paas_nodes (hostname, address, swarm_node_id, role, status, labels, dedicated_organization_id,
          cpu_capacity, memory_capacity_mb, engine_version, last_seen_at)
        VALUES (?, '10.0.0.5', ?, 'worker', 'ready', '{"zone": "a"}', ?, 8, 32768, '27.3.1', now()) RETURNING id""",
        "node-" + s, "n" + s, t.org);
    execute(c, """
        INSERT INTO paas_templates (slug, name, kind, image_ref, spec, env_schema)
        VALUES (?, 'Redis', 'container', 'redis:7', '{"ports": [{"container_port": 6379}]}',
          '[{"name": "REDIS_PASSWORD", "required": true, "secret": true}]')""", "redis-" + s);
    UUID addonPlan = uuid(c, """
        INSERT INTO paas_addon_plans (provider, slug, name, price_hourly, price_monthly, limits)
        VALUES ('postgresql', ?, 'Mini', 0.007, 5, '{"storage_gb": 1}') RETURNING id""", "mini-" + s);

    t.app = uuid(c, """
        INSERT INTO paas_apps (organization_id, name, slug, stack_id, plan_id, source_repo_url, created_by)
        VALUES (?, 'shop', ?, (SELECT id FROM paas_stacks WHERE slug = 'skypanel-bookworm'),
          (SELECT id FROM paas_plans WHERE slug = 'basic'), 'https://github.com/acme/shop', ?) RETURNING id""",
        t.org, "shop-" + s, t.user);
    execute(c, """
        INSERT INTO paas_app_buildpacks (organization_id, app_id, position, buildpack_id)
        VALUES (?, ?, 0, (SELECT id FROM paas_buildpacks WHERE slug = 'nodejs'))""", t.org, t.app);
    t.environment = uuid(c, """
        INSERT INTO paas_environments (organization_id, app_id, name, deploy_mode, image_ref, entrypoint, cmd, ports,
          healthcheck, env_vars_sealed, env_var_names, default_domain)
        VALUES (?, ?, 'production', 'image', 'nginx:1.27', ARRAY['/docker-entrypoint.sh'], ARRAY['nginx', '-g', 'daemon off;'],
          '[{"container_port": 80, "protocol": "http"}]', '{"test": ["CMD", "true"], "interval_s": 10}',
          'sealed:v1:abc', ARRAY['SECRET_KEY'], ?) RETURNING id""",
        t.org, t.app, "shop-" + s + ".apps.example.net");
    t.release = uuid(c, """
        INSERT INTO paas_releases (organization_id, environment_id, version, image_ref, image_digest, config, description, status, created_by)
        VALUES (?, ?, 1, 'nginx:1.27', 'sha256:' || repeat('a', 64), '{"cmd": ["nginx"]}', 'Deploy nginx:1.27', 'succeeded', ?)
        RETURNING id""", t.org, t.environment, t.user);
    execute(c, "UPDATE paas_environments SET current_release_id = ?, status = 'running' WHERE id = ?", t.release, t.environment);
    execute(c, """
        INSERT INTO paas_deployments (organization_id, environment_id, release_id, trigger_type, status, image_digest, started_at, finished_at, created_by)
        VALUES (?, ?, ?, 'api', 'succeeded', 'sha256:' || repeat('a', 64), now() - interval '1 minute', now(), ?)""",
        t.org, t.environment, t.release, t.user);
    t.process = uuid(c, """
        INSERT INTO paas_processes (organization_id, environment_id, name, type, command, quantity, port, swarm_service_id)
        VALUES (?, ?, 'web', 'web', 'nginx -g ''daemon off;''', 2, 8080, ?) RETURNING id""", t.org, t.environment, "svcweb" + s);
    execute(c, """
        INSERT INTO paas_processes (organization_id, environment_id, name, type, command, quantity, schedule)
        VALUES (?, ?, 'clock', 'cron', 'bin/cleanup', 1, '*/5 * * * *')""", t.org, t.environment);
    execute(c, """
        INSERT INTO paas_runs (organization_id, environment_id, release_id, command, attached, status, started_at, user_id)
        VALUES (?, ?, ?, 'bin/migrate', true, 'running', now(), ?)""", t.org, t.environment, t.release, t.user);
    UUID addon = uuid(c, """
        INSERT INTO paas_addons (organization_id, app_id, environment_id, name, plan_id, provider, config_var_prefix, status, config_sealed)
        VALUES (?, ?, ?, 'postgresql-main', ?, 'postgresql', 'DATABASE', 'available', 'sealed:v1:def') RETURNING id""",
        t.org, t.app, t.environment, addonPlan);
    execute(c, "INSERT INTO paas_addon_attachments (addon_id, environment_id, organization_id) VALUES (?, ?, ?)",
        addon, t.environment, t.org);
    UUID backup = uuid(c, """
        INSERT INTO paas_addon_backups (organization_id, addon_id, addon_name, app_id, environment_id, plan_id, service, version, kind)
        VALUES (?, ?, 'postgresql-main', ?, ?, ?, 'postgresql', '15', 'manual') RETURNING id""",
        t.org, addon, t.app, t.environment, addonPlan);
    execute(c, "INSERT INTO paas_addon_restores (organization_id, backup_id, addon_id, target) VALUES (?, ?, ?, 'same')",
        t.org, backup, addon);
    execute(c, """
        INSERT INTO paas_builds (organization_id, app_id, environment_id, origin, ref, status, created_by)
        VALUES (?, ?, ?, 'upload', 'main', 'queued', ?)""", t.org, t.app, t.environment, t.user);
    UUID sourceHook = uuid(c, """
        INSERT INTO paas_source_webhooks (organization_id, app_id, provider, repository_url, branch, secret_sealed, created_by)
        VALUES (?, ?, 'github', 'https://github.com/acme/shop.git', 'main', 'sealed:v1:hook', ?) RETURNING id""", t.org, t.app, t.user);
    execute(c, """
        INSERT INTO paas_source_webhook_deliveries (organization_id, webhook_id, delivery_id, status_code, response)
        VALUES (?, ?, ?, 202, '{"status": "queued"}')""", t.org, sourceHook, "delivery-" + s);
    execute(c, """
        INSERT INTO paas_webhooks (organization_id, app_id, url, secret_sealed, events)
        VALUES (?, ?, 'https://hooks.example.com/skypanel', 'sealed:v1:ghi', ARRAY['deployment.succeeded', 'container.*'])""",
        t.org, t.app);

    t.registryCredential = uuid(c, """
        INSERT INTO caas_registry_credentials (organization_id, name, registry_host, username, password_sealed, created_by)
        VALUES (?, 'ghcr', 'ghcr.io', 'acme-bot', 'sealed:v1:jkl', ?) RETURNING id""", t.org, t.user);
    t.container = uuid(c, """
        INSERT INTO paas_containers (organization_id, name, image_ref, image_digest, registry_credential_id, cmd, env_vars,
          secrets, ports, volumes, healthcheck, cpu, memory_mb, replicas, desired_replicas, running_replicas, restart_policy,
          plan_id, status, swarm_service_id, default_domain, endpoints, created_by)
        VALUES (?, 'api', 'ghcr.io/acme/api:1.0', 'sha256:' || repeat('b', 64), ?, ARRAY['serve'], '{"LOG_LEVEL": "info"}',
          '[{"name": "DB_PASSWORD", "target": "env"}]', '[{"container_port": 8080, "protocol": "http"}]',
          '[{"volume": "data", "target": "/data"}]', '{"test": ["CMD", "true"]}', 0.5, 512, 2, 2, 2, 'on-failure',
          (SELECT id FROM paas_plans WHERE slug = 'basic'), 'running', ?, ?, '[{"protocol": "https", "url": "https://api.example.net"}]', ?)
        RETURNING id""", t.org, t.registryCredential, "svcapi" + s, "api-" + s + ".containers.example.net", t.user);
    execute(c, """
        INSERT INTO caas_container_secrets (organization_id, container_id, name, sealed_value, docker_secret_id, created_by)
        VALUES (?, ?, 'DB_PASSWORD', 'sealed:v1:mno', ?, ?)""", t.org, t.container, "sec" + s, t.user);
    execute(c, """
        INSERT INTO caas_container_events (organization_id, container_id, type, source, message, user_id)
        VALUES (?, ?, 'create', 'platform', 'created', ?)""", t.org, t.container, t.user);
    execute(c, """
        INSERT INTO paas_autoscaling_rules (organization_id, container_id, metric, target_value, min_replicas, max_replicas)
        VALUES (?, ?, 'cpu', 70, 1, 5)""", t.org, t.container);
    execute(c, """
        INSERT INTO paas_autoscaling_rules (organization_id, process_id, metric, target_value, min_replicas, max_replicas)
        VALUES (?, ?, 'rps', 250, 2, 10)""", t.org, t.process);
    execute(c, """
        INSERT INTO paas_domains (organization_id, hostname, container_id, verification_token, verified_at, cert_status,
          cert_issuer, cert_not_after, cert_chain_pem, cert_private_key_sealed)
        VALUES (?, ?, ?, 'tok_0123456789abcdef', now(), 'issued', 'Let''s Encrypt', now() + interval '90 days',
          '-----BEGIN CERTIFICATE-----', 'sealed:v1:pqr')""", t.org, "api-" + s + ".example.com", t.container);
    execute(c, """
        INSERT INTO paas_domains (organization_id, hostname, environment_id, path_prefix, verification_token)
        VALUES (?, ?, ?, '/shop', 'tok_fedcba9876543210')""", t.org, "www-" + s + ".example.com", t.environment);

    t.volume = uuid(c, """
        INSERT INTO paas_volumes (organization_id, name, size_gb, docker_volume_name, node_id, status, created_by)
        VALUES (?, 'data', 10, ?, ?, 'in_use', ?) RETURNING id""", t.org, "skp_vol_" + s, t.node, t.user);
    execute(c, """
        INSERT INTO caas_volume_snapshots (organization_id, volume_id, status, size_bytes, sha256, storage_path, started_at, completed_at)
        VALUES (?, ?, 'completed', 1048576, repeat('c', 64), ?, now() - interval '1 minute', now())""",
        t.org, t.volume, "snapshots/" + s + ".tar.zst");

    execute(c, """
        INSERT INTO paas_usage (organization_id, resource_type, resource_id, metric, period_start, quantity, amount)
        VALUES (?, 'container', ?, 'cpu_seconds', date_trunc('hour', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', 1800, 0.0175)""",
        t.org, t.container);
    execute(c, """
        INSERT INTO caas_image_policies (organization_id, allowed_registries, allowed_patterns, blocked_patterns, require_digest)
        VALUES (?, ARRAY['ghcr.io', 'docker.io'], ARRAY['ghcr.io/acme/*'], ARRAY['*:latest'], false)""", t.org);
    execute(c, """
        INSERT INTO caas_network_policies (organization_id, egress_mode, allowed_egress_cidrs, ingress_mode, allowed_ingress_cidrs)
        VALUES (?, 'deny', ARRAY['10.20.0.0/16']::cidr[], 'allowlist', ARRAY['203.0.113.0/24']::cidr[])""", t.org);
    execute(c, """
        INSERT INTO caas_exec_audit (organization_id, container_id, container_name, user_id, task_id, command, tty, client_ip,
          started_at, ended_at, duration_ms, exit_code, status, end_reason, bytes_in, bytes_out)
        VALUES (?, ?, 'api', ?, ?, ARRAY['/bin/sh', '-c', 'ls'], false, '198.51.100.7',
          now() - interval '2 seconds', now(), 2000, 0, 'completed', 'exited', 3, 120)""",
        t.org, t.container, t.user, "task" + s);
    return t;
  }

  // ---------------------------------------------------------------------------------------------------------
  // Helpers

  private static DatabaseOptions newDatabase() {
    DatabaseOptions options = TestServers.createDatabase();
    DATABASES.add(options);
    return options;
  }

  private static Connection connect(DatabaseOptions options) throws SQLException {
    return DriverManager.getConnection(options.jdbcUrl(), options.user(), options.password());
  }

  private static String suffix() {
    return UUID.randomUUID().toString().replace("-", "").substring(0, 12);
  }

  private static List<String> migrationFiles() throws IOException, URISyntaxException {
    URL url = MigrationsTest.class.getClassLoader().getResource("db/migration");
    assertThat(url).as("db/migration on the test classpath").isNotNull();
    try (Stream<Path> files = Files.list(Path.of(url.toURI()))) {
      return files.map(p -> p.getFileName().toString()).filter(n -> VERSIONED.matcher(n).matches()).sorted().toList();
    }
  }

  private static MigrationVersion highestVersion(List<String> files) {
    return files.stream().map(name -> {
      Matcher m = VERSIONED.matcher(name);
      assertThat(m.matches()).isTrue();
      return MigrationVersion.fromVersion(m.group(1).replace('_', '.'));
    }).max(Comparator.naturalOrder()).orElseThrow();
  }

  private static PreparedStatement prepare(Connection c, String sql, Object... args) throws SQLException {
    PreparedStatement statement = c.prepareStatement(sql);
    for (int i = 0; i < args.length; i++) {
      statement.setObject(i + 1, args[i]);
    }
    return statement;
  }

  private static void execute(Connection c, String sql, Object... args) throws SQLException {
    try (PreparedStatement statement = prepare(c, sql, args)) {
      statement.execute();
    }
  }

  private static UUID uuid(Connection c, String sql, Object... args) throws SQLException {
    try (PreparedStatement statement = prepare(c, sql, args); ResultSet rs = statement.executeQuery()) {
      assertThat(rs.next()).as(sql).isTrue();
      return rs.getObject(1, UUID.class);
    }
  }

  private static long count(Connection c, String sql, Object... args) throws SQLException {
    try (PreparedStatement statement = prepare(c, sql, args); ResultSet rs = statement.executeQuery()) {
      assertThat(rs.next()).as(sql).isTrue();
      return rs.getLong(1);
    }
  }

  private static List<String> strings(Connection c, String sql, Object... args) throws SQLException {
    List<String> values = new ArrayList<>();
    try (PreparedStatement statement = prepare(c, sql, args); ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        values.add(rs.getString(1));
      }
    }
    return values;
  }

  @FunctionalInterface
  private interface SqlAction {
    void run() throws SQLException;
  }

  /** The statement fails with the given SQLState and, when named, on the given constraint. */
  private static void assertRejected(String sqlState, String constraint, SqlAction action) {
    assertThatThrownBy(action::run)
        .isInstanceOfSatisfying(SQLException.class, e -> {
          assertThat(e.getSQLState()).as(e.getMessage()).isEqualTo(sqlState);
          if (constraint != null) {
            assertThat(e.getMessage()).contains("\"" + constraint + "\"");
          }
        });
  }
}
