package io.skypanel.controlplane.paas.addons;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Heroku's naming of add-on URL variables. */
class AddonVariablesTest {

  @Test
  void the_first_add_on_of_a_kind_takes_the_classic_name() {
    assertThat(AddonVariables.choose("DATABASE_URL", "main-db", List.of("REDIS_URL"))).isEqualTo("DATABASE_URL");
  }

  @Test
  void a_second_add_on_of_the_same_kind_is_named_after_itself() {
    assertThat(AddonVariables.choose("DATABASE_URL", "analytics-db", List.of("DATABASE_URL"))).isEqualTo("ANALYTICS_DB_URL");
  }
}
