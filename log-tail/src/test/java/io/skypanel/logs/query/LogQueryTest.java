package io.skypanel.logs.query;

import io.skypanel.common.errors.ApiException;
import io.skypanel.logs.access.LogTarget;
import io.skypanel.logs.stream.StreamChoice;
import io.skypanel.logs.support.LogQlParser;
import io.vertx.core.MultiMap;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Request parameters and the LogQL built from them, checked against the test server's LogQL parser. */
class LogQueryTest {

  private static final UUID ORG = UUID.fromString("11111111-1111-1111-1111-111111111111");
  private static final UUID CONTAINER = UUID.fromString("22222222-2222-2222-2222-222222222222");

  @Test
  void hostile_filters_stay_one_line_filter_of_the_same_text() {
    LogTarget target = new LogTarget(LogTarget.Kind.CONTAINER, CONTAINER, ORG, "web", "running", null);
    for (String filter : new String[] {"\"} |= \"\" or {skypanel_org=\"x\"}", "a\\\"b", "\\", "`raw`", "} | json | line_format \"{{.x}}\"", "ünï\u00a0cödé"}) {
      String query = LogQl.query(target.selector(StreamChoice.STDERR, filter));
      LogQlParser.Query parsed = LogQlParser.parse(query);
      assertThat(parsed.matchers()).isEqualTo(Map.of("skypanel_org", ORG.toString(), "skypanel_container", CONTAINER.toString(), "stream", "stderr"));
      assertThat(parsed.lineFilters()).containsExactly(filter);
    }
  }

  @Test
  void since_accepts_rfc3339_and_unix_seconds() {
    assertThat(LogRequest.since("0")).isZero();
    assertThat(LogRequest.since("1700000000")).isEqualTo(1_700_000_000_000_000_000L);
    assertThat(LogRequest.since("1700000000.25")).isEqualTo(1_700_000_000_250_000_000L);
    assertThat(LogRequest.since("2023-11-14T22:13:20Z")).isEqualTo(1_700_000_000_000_000_000L);
    assertThat(LogRequest.since("2023-11-14T23:13:20.000000001+01:00")).isEqualTo(1_700_000_000_000_000_001L);
    assertThatThrownBy(() -> LogRequest.since("yesterday")).isInstanceOf(ApiException.class);
    assertThatThrownBy(() -> LogRequest.since("-5")).isInstanceOf(ApiException.class);
  }

  @Test
  void rejects_bad_limit_stream_follow_and_control_characters() {
    assertThat(parse("limit=5000").limit()).isEqualTo(5000);
    assertThat(parse("").limit()).isEqualTo(100);
    assertThat(parse("").follow()).isTrue();
    assertThat(parse("stream=stdout").stream()).isEqualTo(StreamChoice.STDOUT);
    for (String bad : new String[] {"limit=5001", "limit=-1", "limit=x", "stream=both", "follow=maybe", "filter=a%0Ab"}) {
      assertThatThrownBy(() -> parse(bad)).as(bad).isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(400));
    }
  }

  private static LogRequest parse(String query) {
    MultiMap params = MultiMap.caseInsensitiveMultiMap();
    for (String pair : query.split("&")) {
      if (!pair.isEmpty()) {
        String[] kv = pair.split("=", 2);
        params.add(kv[0], java.net.URLDecoder.decode(kv[1], java.nio.charset.StandardCharsets.UTF_8));
      }
    }
    return LogRequest.parse(params, null, 100, 5000);
  }
}
