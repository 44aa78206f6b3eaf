package io.skypanel.exec;

import io.skypanel.common.testing.TestServers;
import io.skypanel.exec.audit.AuditRepository;
import io.skypanel.exec.audit.OrphanSweep;
import io.skypanel.exec.sessions.SessionLimits;
import io.skypanel.exec.sessions.SessionRegistry;
import io.skypanel.common.testing.Eventually;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;

import static org.assertj.core.api.Assertions.assertThat;

/** One-off execs, the audit trail and its transcripts, against a real Swarm task. */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ExecApiTest extends ExecTestBase {

  private static String execPath() {
    return "/api/caas/containers/" + container + "/exec";
  }

  private static String auditPath() {
    return "/api/caas/containers/" + container + "/exec-audit";
  }

  @Test
  void a_one_off_exec_returns_stdout_stderr_and_the_exit_code() {
    JsonObject argv = run(new JsonObject().put("command", new JsonArray().add("sh").add("-c").add("echo out; echo err >&2; exit 5")));
    assertThat(argv.getString("status")).isEqualTo("completed");
    assertThat(argv.getInteger("exit_code")).isEqualTo(5);
    assertThat(argv.getString("stdout")).isEqualTo("out\n");
    assertThat(argv.getString("stderr")).isEqualTo("err\n");
    assertThat(argv.getBoolean("stdout_truncated")).isFalse();

    JsonObject line = run(new JsonObject().put("command", "echo $((1+2))"));
    assertThat(line.getString("stdout")).isEqualTo("3\n");
    assertThat(line.getInteger("exit_code")).isZero();

    Map<String, Object> row = closedAuditRow(line.getString("id"));
    assertThat(row.get("command")).isEqualTo("/bin/sh -c echo $((1+2))");
    assertThat(row.get("tty")).isEqualTo(false);
    assertThat(row.get("status")).isEqualTo("completed");
    assertThat(row.get("bytes_out")).isEqualTo(2L);
  }

  @Test
  void output_beyond_the_limit_is_counted_not_returned() {
    JsonObject big = run(new JsonObject().put("command", "head -c 10000 /dev/zero | tr '\\000' a"));
    assertThat(big.getString("stdout")).hasSize(4096).matches("a+");
    assertThat(big.getBoolean("stdout_truncated")).isTrue();
    assertThat(closedAuditRow(big.getString("id")).get("bytes_out")).isEqualTo(10000L);
  }

  @Test
  void a_one_off_exec_past_its_timeout_is_stopped_and_reported() {
    JsonObject slow = run(new JsonObject().put("command", "echo started; sleep 4242").put("timeout_s", 1));
    assertThat(slow.getString("status")).isEqualTo("timeout");
    assertThat(slow.getString("stdout")).isEqualTo("started\n");
    assertThat(slow.getString("end_reason")).isEqualTo("timeout_s elapsed");
    Eventually.await("sleep 4242 stopped", WAIT, () -> processes().stream().noneMatch(p -> p.contains("sleep 4242")) ? true : null);
    Map<String, Object> row = closedAuditRow(slow.getString("id"));
    assertThat(row.get("status")).isEqualTo("timeout");
    assertThat((Long) row.get("duration_ms")).isGreaterThanOrEqualTo(1000L);
  }

  @Test
  void bad_requests_and_missing_rights_get_json_errors_and_write_nothing() {
    long before = count();
    assertThat(code(exec(replicaA, HttpMethod.POST, execPath(), developer.token(), org, new JsonObject()), 400)).isEqualTo("validation_failed");
    assertThat(code(exec(replicaA, HttpMethod.POST, execPath(), developer.token(), org,
        new JsonObject().put("command", "true").put("timeout_s", 0)), 400)).isEqualTo("validation_failed");
    assertThat(code(exec(replicaA, HttpMethod.POST, execPath(), developer.token(), org,
        new JsonObject().put("command", "true").put("user", "root")), 400)).isEqualTo("validation_failed");
    assertThat(code(exec(replicaA, HttpMethod.POST, execPath(), developer.token(), org, "{not json"), 400)).isEqualTo("malformed_json");
    assertThat(code(exec(replicaA, HttpMethod.POST, "/api/caas/containers/not-a-uuid/exec", developer.token(), org,
        new JsonObject().put("command", "true")), 400)).isEqualTo("validation_failed");

    JsonObject command = new JsonObject().put("command", "true");
    assertThat(code(exec(replicaA, HttpMethod.POST, execPath(), null, org, command), 401)).isEqualTo("unauthorized");
    assertThat(code(exec(replicaA, HttpMethod.POST, execPath(), viewer.token(), org, command), 403)).isEqualTo("forbidden");
    assertThat(code(exec(replicaA, HttpMethod.POST, execPath(), outsider.token(), org, command), 404)).isEqualTo("not_found");
    assertThat(code(exec(replicaA, HttpMethod.POST, execPath(), outsider.token(), outsider.personalOrganizationId(), command), 404))
        .isEqualTo("not_found");
    assertThat(code(exec(replicaA, HttpMethod.POST, "/api/caas/containers/" + UUID.randomUUID() + "/exec", developer.token(), org,
        command), 404)).isEqualTo("not_found");
    String readOnly = call(HttpMethod.POST, "/api/auth/tokens", developer.token(),
        new JsonObject().put("name", "read").put("scopes", new JsonArray().add("read"))).bodyAsJsonObject().getString("token");
    assertThat(code(exec(replicaA, HttpMethod.POST, execPath(), readOnly, org, command), 403)).isEqualTo("forbidden");
    assertThat(count()).as("audit rows written by refused requests").isEqualTo(before);
  }

  @Test
  void a_tier_without_exec_refuses_every_session() {
    TestServers.execute(server.database(), "UPDATE caas_isolation_tiers SET exec_allowed = false WHERE id = 'enhanced'");
    try {
      assertThat(code(exec(replicaA, HttpMethod.POST, execPath(), developer.token(), org, new JsonObject().put("command", "true")), 403))
          .isEqualTo("exec_not_allowed");
      assertThat(code(exec(replicaA, HttpMethod.POST, "/api/caas/containers/" + container + "/console/ticket", developer.token(), org, null),
          403)).isEqualTo("exec_not_allowed");
    } finally {
      TestServers.execute(server.database(), "UPDATE caas_isolation_tiers SET exec_allowed = true WHERE id = 'enhanced'");
    }
  }

  @Test
  void the_audit_trail_is_paged_for_developers_and_transcripts_are_for_admins() throws IOException {
    String first = run(new JsonObject().put("command", "echo audited-one")).getString("id");
    String second = run(new JsonObject().put("command", "echo audited-two")).getString("id");
    closedAuditRow(second);

    HttpResponse<Buffer> page = exec(replicaB, HttpMethod.GET, auditPath() + "?limit=1", developer.token(), org, null);
    assertThat(page.statusCode()).as(page.bodyAsString()).isEqualTo(200);
    JsonObject newest = page.bodyAsJsonObject().getJsonArray("data").getJsonObject(0);
    assertThat(newest.getString("id")).isEqualTo(second);
    assertThat(newest.getString("status")).isEqualTo("completed");
    assertThat(newest.getInteger("exit_code")).isZero();
    assertThat(newest.getJsonArray("command")).containsExactly("/bin/sh", "-c", "echo audited-two");
    assertThat(newest.getString("user_email")).isEqualTo(developer.email());
    assertThat(newest.getLong("bytes_out")).isEqualTo("audited-two\n".length());
    assertThat(newest.getBoolean("has_transcript")).isTrue();
    String cursor = page.bodyAsJsonObject().getString("next_cursor");
    assertThat(cursor).isNotNull();
    JsonObject next = exec(replicaB, HttpMethod.GET, auditPath() + "?limit=1&cursor=" + cursor, developer.token(), org, null)
        .bodyAsJsonObject().getJsonArray("data").getJsonObject(0);
    assertThat(next.getString("id")).isEqualTo(first);

    assertThat(code(exec(replicaB, HttpMethod.GET, auditPath(), viewer.token(), org, null), 403)).isEqualTo("forbidden");
    assertThat(code(exec(replicaB, HttpMethod.GET, auditPath(), outsider.token(), outsider.personalOrganizationId(), null), 404))
        .isEqualTo("not_found");
    assertThat(code(exec(replicaB, HttpMethod.GET, auditPath() + "?cursor=bogus", developer.token(), org, null), 400))
        .isEqualTo("validation_failed");

    String transcript = auditPath() + "/" + second + "/transcript";
    assertThat(code(exec(replicaB, HttpMethod.GET, transcript, developer.token(), org, null), 403)).isEqualTo("forbidden");
    HttpResponse<Buffer> recorded = exec(replicaB, HttpMethod.GET, transcript, owner.token(), org, null);
    assertThat(recorded.statusCode()).as(recorded.bodyAsString()).isEqualTo(200);
    assertThat(recorded.getHeader("Content-Type")).isEqualTo("application/gzip");
    List<String> lines = gunzip(recorded.body().getBytes()).lines().toList();
    assertThat(new JsonObject(lines.get(0)).getInteger("version")).isEqualTo(2);
    assertThat(new JsonArray(lines.get(1)).getString(1)).isEqualTo("o");
    assertThat(new JsonArray(lines.get(1)).getString(2)).isEqualTo("audited-two\n");
    assertThat(code(exec(replicaB, HttpMethod.GET, auditPath() + "/" + UUID.randomUUID() + "/transcript", owner.token(), org, null), 404))
        .isEqualTo("not_found");
  }

  @Test
  void rows_left_running_by_a_lost_replica_are_closed_by_the_sweep() {
    String lost = UUID.randomUUID().toString();
    TestServers.execute(server.database(), "INSERT INTO caas_exec_audit (id, organization_id, container_id, container_name, user_id, command, started_at)"
        + " VALUES ('" + lost + "', '" + org + "', '" + container + "', 'shell', '" + developer.userId() + "', ARRAY['sh'], now() - interval '5 minutes')");
    var platform = server.platform();
    var options = ExecOptions.from(platform.settings());
    var registry = new SessionRegistry(platform.vertx(), platform.vertx().getOrCreateContext(),
        new SessionLimits(platform.redisApi(), platform.redisPrefix(), ExecOptions.LEASE), platform.events(), options);
    JsonObject live = run(new JsonObject().put("command", "true"));
    closedAuditRow(live.getString("id"));

    int closed = await(new OrphanSweep(platform.vertx(), new AuditRepository(platform.pool()), registry).sweep());
    assertThat(closed).isEqualTo(1);
    Map<String, Object> row = auditRow(lost);
    assertThat(row.get("status")).isEqualTo("failed");
    assertThat((String) row.get("end_reason")).startsWith("exec proxy lost the session");
    assertThat((Long) row.get("duration_ms")).isGreaterThanOrEqualTo(300_000L);
  }

  private static long count() {
    return server.count("caas_exec_audit");
  }

  private static String code(HttpResponse<Buffer> response, int status) {
    return errorCode(response, status);
  }

  private static String gunzip(byte[] gzip) throws IOException {
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gzip))) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
