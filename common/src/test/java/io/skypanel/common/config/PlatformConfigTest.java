package io.skypanel.common.config;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@ExtendWith(VertxExtension.class)
class PlatformConfigTest {

  @Test
  void documented_defaults_come_from_conf(Vertx vertx, VertxTestContext ctx) {
    PlatformConfig.load(vertx).onComplete(ctx.succeeding(settings -> ctx.verify(() -> {
      assertThat(settings.integer("SKYPANEL_API_PORT", -1)).isEqualTo(8080);
      assertThat(settings.integer("SKYPANEL_HTTP_PORT", -1)).isEqualTo(8000);
      assertThat(settings.integer("SKYPANEL_HTTPS_PORT", -1)).isEqualTo(8443);
      assertThat(settings.list("SKYPANEL_SERVICES", List.of())).containsExactly("control-plane", "edge-router", "exec-proxy", "log-tail");
      ctx.completeNow();
    })));
  }

  @Test
  void a_system_property_overrides_the_default_like_an_environment_variable(Vertx vertx, VertxTestContext ctx) {
    System.setProperty("SKYPANEL_EXEC_PORT", "9181");
    PlatformConfig.load(vertx).onComplete(ctx.succeeding(settings -> ctx.verify(() -> {
      System.clearProperty("SKYPANEL_EXEC_PORT");
      assertThat(settings.integer("SKYPANEL_EXEC_PORT", -1)).isEqualTo(9181);
      ctx.completeNow();
    })));
  }

  @Test
  void explicit_overrides_win_and_an_empty_value_means_unset(Vertx vertx, VertxTestContext ctx) {
    PlatformConfig.load(vertx, new JsonObject().put("SKYPANEL_API_PORT", "0").put("REDIS_URL", "")).onComplete(ctx.succeeding(settings -> ctx.verify(() -> {
      assertThat(settings.integer("SKYPANEL_API_PORT", -1)).isZero();
      assertThat(settings.optional("REDIS_URL")).isNull();
      ctx.completeNow();
    })));
  }

  @Test
  void a_malformed_number_names_the_setting() {
    Settings settings = new Settings(new JsonObject().put("SKYPANEL_API_PORT", "eighty"));
    assertThatThrownBy(() -> settings.integer("SKYPANEL_API_PORT", 8080)).hasMessageContaining("SKYPANEL_API_PORT");
  }
}
