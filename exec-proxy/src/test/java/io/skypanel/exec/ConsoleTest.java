package io.skypanel.exec;

import io.skypanel.controlplane.support.ApiClient;
import io.skypanel.common.testing.Eventually;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** WebSocket consoles into a real Swarm task, through two exec-proxy replicas. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ConsoleTest extends ExecTestBase {

  private static String console(String query) {
    return "/api/caas/containers/" + container + "/console" + (query.isEmpty() ? "" : "?" + query);
  }

  @Test
  void runs_a_command_and_closes_with_its_exit_code(Vertx vertx) {
    ConsoleClient echo = ConsoleClient.connect(vertx, replicaA, console("command=echo&command=hi"), developer.token(), org);
    ConsoleClient.Closed done = echo.awaitClose(WAIT);
    assertThat(echo.output()).isEqualTo("hi\r\n");
    assertThat(done.code()).isEqualTo((short) 1000);
    assertThat(done.exit().getInteger("exit_code")).isZero();
    assertThat(done.exit().getString("status")).isEqualTo("completed");

    Map<String, Object> row = closedAuditRow(done.exit().getString("session_id"));
    assertThat(row.get("status")).isEqualTo("completed");
    assertThat(row.get("exit_code")).isEqualTo(0);
    assertThat(row.get("command")).isEqualTo("echo hi");
    assertThat(row.get("tty")).isEqualTo(true);
    assertThat(row.get("bytes_out")).isEqualTo(4L);
    assertThat(row.get("bytes_in")).isEqualTo(0L);
    assertThat((Long) row.get("duration_ms")).isNotNegative();
    assertThat(row.get("client_ip")).isEqualTo("127.0.0.1");
    assertThat(row.get("user_id")).isEqualTo(developer.userId());
    assertThat((String) row.get("task_id")).isNotBlank();
    assertThat((String) row.get("docker_container_id")).hasSize(64);

    ConsoleClient three = ConsoleClient.connect(vertx, replicaA, console("command=sh&command=-c&command=exit%203"), developer.token(), org);
    ConsoleClient.Closed failed = three.awaitClose(WAIT);
    assertThat(failed.code()).isEqualTo((short) 4003);
    assertThat(failed.exit().getInteger("exit_code")).isEqualTo(3);
    assertThat(closedAuditRow(failed.exit().getString("session_id")).get("exit_code")).isEqualTo(3);
  }

  @Test
  void output_that_begins_with_nul_bytes_arrives_whole(Vertx vertx) {
    // docker-java takes a stream beginning with NUL for a multiplexed frame header; the console's preamble avoids that
    ConsoleClient zeros = ConsoleClient.connect(vertx, replicaA, console("command=head&command=-c&command=1000&command=/dev/zero"),
        developer.token(), org);
    ConsoleClient.Closed done = zeros.awaitClose(WAIT);
    assertThat(done.exit().getInteger("exit_code")).isZero();
    assertThat(zeros.receivedBytes()).isEqualTo(1000);
    assertThat(zeros.output()).isEqualTo("\u0000".repeat(1000));
    assertThat(closedAuditRow(done.exit().getString("session_id")).get("bytes_out")).isEqualTo(1000L);
  }

  @Test
  void an_interactive_shell_answers_typed_input_and_follows_resizes(Vertx vertx) {
    ConsoleClient shell = ConsoleClient.connect(vertx, replicaA, console("cols=90&rows=30"), developer.token(), org);
    String first = "echo $((6*7))\n";
    shell.type(first);
    shell.awaitOutput("42\r\n", WAIT);
    String size = "stty size\n";
    shell.type(size);
    shell.awaitOutput("30 90\r\n", WAIT);

    shell.resize(101, 37);
    String resized = "stty size\n";
    shell.type(resized);
    shell.awaitOutput("37 101\r\n", WAIT);
    String exit = "exit 0\n";
    shell.type(exit);
    ConsoleClient.Closed done = shell.awaitClose(WAIT);
    assertThat(done.code()).isEqualTo((short) 1000);

    Map<String, Object> row = closedAuditRow(done.exit().getString("session_id"));
    assertThat(row.get("status")).isEqualTo("completed");
    assertThat(row.get("command")).isEqualTo("/bin/sh");
    assertThat(row.get("bytes_in")).isEqualTo((long) (first + size + resized + exit).length());
    assertThat((Long) row.get("bytes_out")).isEqualTo(shell.receivedBytes());
    assertThat(row.get("has_transcript")).isEqualTo(true);
  }

  @Test
  void the_client_going_away_stops_what_it_started(Vertx vertx) {
    ConsoleClient shell = ConsoleClient.connect(vertx, replicaA, console(""), developer.token(), org);
    shell.type("sleep 4321 & sleep 4322\n");
    Eventually.await("both sleeps running", WAIT, () -> processes().containsAll(java.util.List.of("sleep 4321", "sleep 4322")) ? true : null);
    String sessionId = session(developer.userId());
    shell.close();

    Eventually.await("the session's processes gone", WAIT,
        () -> processes().stream().noneMatch(p -> p.startsWith("sleep 432")) ? true : null);
    Map<String, Object> row = closedAuditRow(sessionId);
    assertThat(row.get("status")).isEqualTo("killed");
    assertThat(row.get("end_reason")).isEqualTo("client disconnected");
  }

  @Test
  void an_idle_console_is_closed_and_the_audit_says_why(Vertx vertx) {
    ConsoleClient shell = ConsoleClient.connect(vertx, replicaB, console(""), developer.token(), org);
    ConsoleClient.Closed done = shell.awaitClose(WAIT);
    assertThat(done.code()).isEqualTo((short) 4408);
    assertThat(done.exit().getString("status")).isEqualTo("timeout");
    assertThat(done.exit().getString("reason")).isEqualTo("idle timeout");
    Map<String, Object> row = closedAuditRow(done.exit().getString("session_id"));
    assertThat(row.get("status")).isEqualTo("timeout");
    assertThat(row.get("end_reason")).isEqualTo("idle timeout");
    assertThat((Long) row.get("duration_ms")).isGreaterThanOrEqualTo(2000L);
  }

  @Test
  void a_busy_console_still_ends_at_the_maximum_session_length(Vertx vertx) {
    ConsoleClient ticking = ConsoleClient.connect(vertx, replicaC,
        console("command=sh&command=-c&command=while%20true%3B%20do%20echo%20tick%3B%20sleep%200.2%3B%20done"), developer.token(), org);
    ConsoleClient.Closed done = ticking.awaitClose(WAIT);
    assertThat(done.code()).isEqualTo((short) 4410);
    assertThat(done.exit().getString("status")).isEqualTo("timeout");
    assertThat(ticking.output()).contains("tick");
    Map<String, Object> row = closedAuditRow(done.exit().getString("session_id"));
    assertThat(row.get("end_reason")).isEqualTo("maximum session duration reached");
    assertThat((Long) row.get("duration_ms")).isGreaterThanOrEqualTo(3000L);
  }

  @Test
  void viewers_outsiders_and_strangers_are_refused_before_any_upgrade(Vertx vertx) {
    UpgradeRejectedException asViewer = ConsoleClient.refused(vertx, replicaA, console(""), viewer.token(), org);
    assertThat(asViewer.getStatus()).isEqualTo(403);
    assertThat(error(asViewer.getBody())).isEqualTo("forbidden");

    UpgradeRejectedException foreignOrganization = ConsoleClient.refused(vertx, replicaA, console(""), outsider.token(), org);
    assertThat(foreignOrganization.getStatus()).isEqualTo(404);
    UpgradeRejectedException foreignContainer = ConsoleClient.refused(vertx, replicaA, console(""), outsider.token(),
        outsider.personalOrganizationId());
    assertThat(foreignContainer.getStatus()).isEqualTo(404);
    assertThat(error(foreignContainer.getBody())).isEqualTo("not_found");

    UpgradeRejectedException anonymous = ConsoleClient.refused(vertx, replicaA, console(""), null, org);
    assertThat(anonymous.getStatus()).isEqualTo(401);
    UpgradeRejectedException badCommand = ConsoleClient.refused(vertx, replicaA, console("cols=0&rows=10"), developer.token(), org);
    assertThat(badCommand.getStatus()).isEqualTo(400);
  }

  @Test
  void a_ticket_opens_exactly_one_console(Vertx vertx) {
    String ticketPath = "/api/caas/containers/" + container + "/console/ticket";
    assertThat(exec(replicaA, HttpMethod.POST, ticketPath, viewer.token(), org, null).statusCode()).isEqualTo(403);
    HttpResponse<Buffer> issued = exec(replicaB, HttpMethod.POST, ticketPath, developer.token(), org, null);
    assertThat(issued.statusCode()).as(issued.bodyAsString()).isEqualTo(201);
    String ticket = issued.bodyAsJsonObject().getString("ticket");
    assertThat(issued.bodyAsJsonObject().getString("expires_at")).isNotBlank();

    // issued by replica B, used on replica A: tickets live in Redis
    String uri = console("ticket=" + ticket + "&command=echo&command=ticketed");
    ConsoleClient once = ConsoleClient.connect(vertx, replicaA, uri, null, null);
    assertThat(once.awaitClose(WAIT).code()).isEqualTo((short) 1000);
    assertThat(once.output()).contains("ticketed");

    UpgradeRejectedException twice = ConsoleClient.refused(vertx, replicaA, uri, null, null);
    assertThat(twice.getStatus()).isEqualTo(401);
    assertThat(error(twice.getBody())).isEqualTo("unauthorized");
  }

  @Test
  void a_user_over_the_session_limit_gets_429_until_a_session_ends(Vertx vertx) {
    ApiClient.Session busy = newUser("Busy Developer");
    addMember(owner, org, busy, "developer");
    ConsoleClient first = ConsoleClient.connect(vertx, replicaA, console(""), busy.token(), org);
    // the second session runs on replica B: the limit counts every replica's sessions
    var second = http.request(HttpMethod.POST, replicaB, "127.0.0.1", "/api/caas/containers/" + container + "/exec")
        .bearerTokenAuthentication(busy.token()).putHeader("X-Organization-Id", org)
        .sendJsonObject(new JsonObject().put("command", "sleep 120").put("timeout_s", 300));
    Eventually.await("two open sessions of the busy user", WAIT, () -> sessions(busy.userId()).size() == 2 ? true : null);

    UpgradeRejectedException third = ConsoleClient.refused(vertx, replicaA, console(""), busy.token(), org);
    assertThat(third.getStatus()).isEqualTo(429);
    assertThat(error(third.getBody())).isEqualTo("rate_limited");
    HttpResponse<Buffer> oneOff = exec(replicaA, HttpMethod.POST, "/api/caas/containers/" + container + "/exec", busy.token(), org,
        new JsonObject().put("command", "true"));
    assertThat(oneOff.statusCode()).isEqualTo(429);
    // other users are not affected
    assertThat(ConsoleClient.connect(vertx, replicaA, console("command=true"), developer.token(), org).awaitClose(WAIT).code())
        .isEqualTo((short) 1000);

    first.close();
    ConsoleClient again = Eventually.await("a slot freed by the closed session", WAIT, () -> {
      try {
        return ConsoleClient.connect(vertx, replicaA, console("command=echo&command=again"), busy.token(), org);
      } catch (RuntimeException e) {
        return null;
      }
    });
    assertThat(again.awaitClose(WAIT).code()).isEqualTo((short) 1000);

    // the one-off exec ends as killed when an administrator kills it
    String oneOffId = sessions(busy.userId()).stream().filter(s -> !s.getBoolean("tty")).findFirst().orElseThrow().getString("id");
    assertThat(exec(replicaA, HttpMethod.DELETE, "/api/admin/exec/sessions/" + oneOffId, platformAdmin, null, null).statusCode()).isEqualTo(202);
    HttpResponse<Buffer> ended = await(second);
    assertThat(ended.statusCode()).as(ended.bodyAsString()).isEqualTo(200);
    assertThat(ended.bodyAsJsonObject().getString("status")).isEqualTo("killed");
  }

  @Test
  void an_administrator_kills_a_session_running_on_another_replica(Vertx vertx) {
    ConsoleClient shell = ConsoleClient.connect(vertx, replicaA, console(""), developer.token(), org);
    shell.type("echo ready\n");
    shell.awaitOutput("ready\r\n", WAIT);

    assertThat(exec(replicaB, HttpMethod.GET, "/api/admin/exec/sessions", owner.token(), null, null).statusCode()).isEqualTo(403);
    String sessionId = session(developer.userId());
    assertThat(exec(replicaB, HttpMethod.DELETE, "/api/admin/exec/sessions/" + sessionId, owner.token(), null, null).statusCode())
        .isEqualTo(403);

    HttpResponse<Buffer> killed = exec(replicaB, HttpMethod.DELETE, "/api/admin/exec/sessions/" + sessionId, platformAdmin, null, null);
    assertThat(killed.statusCode()).as(killed.bodyAsString()).isEqualTo(202);
    ConsoleClient.Closed done = shell.awaitClose(WAIT);
    assertThat(done.code()).isEqualTo((short) 4403);
    assertThat(done.exit().getString("status")).isEqualTo("killed");
    Map<String, Object> row = closedAuditRow(sessionId);
    assertThat(row.get("status")).isEqualTo("killed");
    assertThat(row.get("end_reason")).isEqualTo("killed by a platform administrator");
    Eventually.await("the killed session gone from the admin list", WAIT, () -> {
      int status = exec(replicaB, HttpMethod.DELETE, "/api/admin/exec/sessions/" + sessionId, platformAdmin, null, null).statusCode();
      return status == 404 ? true : null;
    });
  }

  @Test
  void output_waits_for_a_slow_client_and_blocks_the_process(Vertx vertx) {
    // 48 MiB through the TTY, recording progress per MiB; a paused client must stall it well before the end
    String script = "i=0; while [ $i -lt 48 ]; do head -c 1048576 /dev/zero | tr '\\000' x; i=$((i+1)); echo $i > /tmp/progress; done; echo; echo BP-DONE";
    ConsoleClient flood = ConsoleClient.connect(vertx, replicaA,
        console("command=sh&command=-c&command=" + java.net.URLEncoder.encode(script, java.nio.charset.StandardCharsets.UTF_8)),
        developer.token(), org);
    flood.pause();
    int[] last = {-1};
    int stalled = Eventually.await("the writer to stall while the client reads nothing", Duration.ofSeconds(60), () -> {
      int progress = progress();
      boolean unchanged = progress == last[0] && progress > 0;
      last[0] = progress;
      return unchanged ? progress : null;
    });
    assertThat(stalled).as("MiB written while the client read nothing").isLessThan(40);

    flood.resume();
    flood.awaitOutput("BP-DONE", Duration.ofSeconds(120));
    ConsoleClient.Closed done = flood.awaitClose(WAIT);
    assertThat(done.code()).isEqualTo((short) 1000);
    assertThat(flood.receivedBytes()).isGreaterThan(48L * 1024 * 1024);
  }

  /** MiB the flood script has written so far (0 before the first). */
  private static int progress() {
    String out = run(new JsonObject().put("command", "cat /tmp/progress 2>/dev/null || echo 0")).getString("stdout").trim();
    return Integer.parseInt(out);
  }

  /** The id of the one open console of {@code userId}, from the admin listing. */
  private static String session(String userId) {
    return Eventually.await("an open console of " + userId, WAIT, () -> sessions(userId).stream()
        .filter(s -> s.getBoolean("tty")).map(s -> s.getString("id")).findFirst().orElse(null));
  }

  /** Every open session (console or one-off) of {@code userId}, from the admin listing. */
  private static java.util.List<JsonObject> sessions(String userId) {
    HttpResponse<Buffer> listed = exec(replicaB, HttpMethod.GET, "/api/admin/exec/sessions", platformAdmin, null, null);
    assertThat(listed.statusCode()).as(listed.bodyAsString()).isEqualTo(200);
    JsonArray data = listed.bodyAsJsonObject().getJsonArray("data");
    return data.stream().map(JsonObject.class::cast).filter(s -> userId.equals(s.getString("user_id"))).toList();
  }

  private static String error(Buffer body) {
    JsonObject json = new JsonObject(body);
    assertThat(json.getJsonObject("error").getString("message")).isNotBlank();
    return json.getJsonObject("error").getString("code");
  }
}
