package io.skypanel.common.web;

import io.skypanel.common.config.Settings;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.core.buffer.Buffer;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Who the client is, over a real socket: X-Forwarded-For counts only when the peer is a trusted proxy. */
@ExtendWith(VertxExtension.class)
class ClientAddressTest {

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** The address a service behind {@code trusted} sees for a loopback request carrying {@code forwardedFor}. */
  private static String seen(Vertx vertx, List<String> trusted, String... forwardedFor) throws Exception {
    Router router = Router.router(vertx);
    router.route().handler(new ClientAddress(TrustedProxies.of(trusted)));
    router.get("/who").handler(ctx -> ctx.end(String.valueOf(ClientAddress.of(ctx))));
    HttpServer server = await(vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1"));
    WebClient client = WebClient.create(vertx);
    try {
      HttpRequest<Buffer> request = client.get(server.actualPort(), "127.0.0.1", "/who");
      for (String value : forwardedFor) {
        request.headers().add("X-Forwarded-For", value);
      }
      return await(request.send()).bodyAsString();
    } finally {
      client.close();
      await(server.close());
    }
  }

  @Test
  void a_trusted_proxy_names_the_client(Vertx vertx) throws Exception {
    assertThat(seen(vertx, TrustedProxies.DEFAULT, "203.0.113.7")).isEqualTo("203.0.113.7");
    assertThat(seen(vertx, List.of("127.0.0.1"), "2001:db8::5")).isEqualTo("2001:db8::5");
  }

  @Test
  void an_untrusted_peer_cannot_claim_another_address(Vertx vertx) throws Exception {
    assertThat(seen(vertx, List.of("10.0.0.0/8"), "203.0.113.7")).isEqualTo("127.0.0.1");
    assertThat(seen(vertx, List.of("none"), "203.0.113.7")).isEqualTo("127.0.0.1");
  }

  @Test
  void the_rightmost_untrusted_hop_wins_over_what_the_client_prepended(Vertx vertx) throws Exception {
    // a client sends "X-Forwarded-For: 6.6.6.6" to a proxy that appends the address it saw
    assertThat(seen(vertx, List.of("127.0.0.0/8", "10.0.0.0/8"), "6.6.6.6, 198.51.100.1, 10.1.2.3")).isEqualTo("198.51.100.1");
    assertThat(seen(vertx, TrustedProxies.DEFAULT, "6.6.6.6", "198.51.100.1")).isEqualTo("198.51.100.1");
  }

  @Test
  void garbage_in_the_header_is_never_taken_for_an_address(Vertx vertx) throws Exception {
    assertThat(seen(vertx, TrustedProxies.DEFAULT, "evil.example")).isEqualTo("127.0.0.1");
    assertThat(seen(vertx, TrustedProxies.DEFAULT, "6.6.6.6, not-an-ip")).isEqualTo("127.0.0.1");
    assertThat(seen(vertx, TrustedProxies.DEFAULT)).as("no header").isEqualTo("127.0.0.1");
  }

  @Test
  void by_default_loopback_and_a_single_bind_address_are_trusted() {
    TrustedProxies defaults = TrustedProxies.from(new Settings(new JsonObject().put("SKYPANEL_BIND_HOST", "10.1.2.3")));
    assertThat(defaults.trusts("127.0.0.1")).isTrue();
    assertThat(defaults.trusts("::1")).isTrue();
    assertThat(defaults.trusts("10.1.2.3")).isTrue();
    assertThat(defaults.trusts("10.1.2.4")).isFalse();
    assertThat(TrustedProxies.from(new Settings(new JsonObject().put("SKYPANEL_BIND_HOST", "0.0.0.0"))).trusts("0.0.0.0")).isFalse();
    assertThat(TrustedProxies.from(new Settings(new JsonObject().put("SKYPANEL_TRUSTED_PROXIES", "none"))).trusts("127.0.0.1")).isFalse();
  }

  @Test
  void ranges_match_by_prefix_and_bad_entries_fail_at_start() {
    TrustedProxies proxies = TrustedProxies.of(List.of("10.0.0.0/8", "192.168.1.128/25", "fd00::/8"));
    assertThat(proxies.trusts("10.255.0.1")).isTrue();
    assertThat(proxies.trusts("11.0.0.1")).isFalse();
    assertThat(proxies.trusts("192.168.1.200")).isTrue();
    assertThat(proxies.trusts("192.168.1.100")).isFalse();
    assertThat(proxies.trusts("fd12::1")).isTrue();
    assertThat(proxies.trusts("::ffff:10.0.0.1")).as("IPv4-mapped").isTrue();
    assertThat(proxies.trusts("fe80::1")).isFalse();
    assertThatThrownBy(() -> TrustedProxies.of(List.of("proxy.example"))).hasMessageContaining("SKYPANEL_TRUSTED_PROXIES");
    assertThatThrownBy(() -> TrustedProxies.of(List.of("10.0.0.0/33"))).hasMessageContaining("prefix");
  }
}
