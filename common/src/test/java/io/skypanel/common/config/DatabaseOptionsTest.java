package io.skypanel.common.config;

import io.skypanel.common.db.DatabaseOptions;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class DatabaseOptionsTest {

  @Test
  void parses_a_postgres_url_with_credentials() {
    DatabaseOptions options = DatabaseOptions.parse("postgres://app:p%40ss@db.internal:6543/skypanel", 7);
    assertThat(options.host()).isEqualTo("db.internal");
    assertThat(options.port()).isEqualTo(6543);
    assertThat(options.database()).isEqualTo("skypanel");
    assertThat(options.user()).isEqualTo("app");
    assertThat(options.password()).isEqualTo("p@ss");
    assertThat(options.jdbcUrl()).isEqualTo("jdbc:postgresql://db.internal:6543/skypanel");
  }

  @Test
  void parses_a_jdbc_url_with_query_credentials() {
    DatabaseOptions options = DatabaseOptions.parse("jdbc:postgresql://localhost/app?user=u&password=pw", 3);
    assertThat(options.port()).isEqualTo(5432);
    assertThat(options.user()).isEqualTo("u");
    assertThat(options.password()).isEqualTo("pw");
  }

  @Test
  void never_prints_the_password() {
    assertThat(DatabaseOptions.parse("postgres://u:topsecret@h:5432/d", 1).toString()).doesNotContain("topsecret");
  }
}
