package io.skypanel.exec.console;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConsoleControlTest {

  @Test
  void reads_a_resize() throws Exception {
    assertThat(ConsoleControl.parse("{\"type\":\"resize\",\"cols\":120,\"rows\":40}")).isEqualTo(new ConsoleControl.Resize(120, 40));
  }

  @Test
  void refuses_what_is_not_a_json_object() {
    assertThatThrownBy(() -> ConsoleControl.parse("resize 80x24")).isInstanceOf(ConsoleControl.Refused.class)
        .hasMessageContaining("JSON objects");
  }

  @Test
  void refuses_unknown_types() {
    assertThatThrownBy(() -> ConsoleControl.parse("{\"type\":\"signal\",\"name\":\"INT\"}")).isInstanceOf(ConsoleControl.Refused.class)
        .hasMessageContaining("only one is resize");
  }

  @Test
  void refuses_sizes_out_of_range_or_not_integers() {
    for (String bad : new String[] {"{\"type\":\"resize\",\"cols\":0,\"rows\":40}", "{\"type\":\"resize\",\"cols\":80,\"rows\":1001}",
        "{\"type\":\"resize\",\"cols\":\"80\",\"rows\":24}", "{\"type\":\"resize\",\"cols\":80.5,\"rows\":24}", "{\"type\":\"resize\",\"cols\":80}"}) {
      assertThatThrownBy(() -> ConsoleControl.parse(bad)).as(bad).isInstanceOf(ConsoleControl.Refused.class)
          .hasMessageContaining("between 1 and 1000");
    }
  }
}
