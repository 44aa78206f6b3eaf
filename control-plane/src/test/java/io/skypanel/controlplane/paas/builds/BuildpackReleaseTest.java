package io.skypanel.controlplane.paas.builds;

import io.skypanel.controlplane.paas.builds.buildpacks.BuildpackRelease;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The YAML a classic buildpack's bin/release prints, as the buildpack builder reads it. */
class BuildpackReleaseTest {

  @Test
  void reads_process_types_and_config_vars_in_order() {
    BuildpackRelease release = BuildpackRelease.parse("nodejs", """
        ---
        addons: []
        extras:
          - something: the platform ignores
        default_process_types:
          web: exec npm start
          Worker: node worker.js
        config_vars:
          PATH: "/app/bin:/usr/bin"
          QUOTED: 'it''s'
          PYTHONUNBUFFERED: "1"
        """);
    assertThat(release.processTypes()).containsExactly(java.util.Map.entry("web", "exec npm start"), java.util.Map.entry("worker", "node worker.js"));
    assertThat(release.configVars()).containsEntry("PATH", "/app/bin:/usr/bin").containsEntry("QUOTED", "it's")
        .containsEntry("PYTHONUNBUFFERED", "1");
  }

  @Test
  void an_empty_release_has_nothing() {
    BuildpackRelease release = BuildpackRelease.parse("procfile", "--- {}\n");
    assertThat(release.processTypes()).isEmpty();
    assertThat(release.configVars()).isEmpty();
  }

  @Test
  void rejects_what_it_cannot_read_naming_the_buildpack_and_line() {
    assertThatThrownBy(() -> BuildpackRelease.parse("broken", "default_process_types:\n  web: x\nthis is not yaml\n"))
        .isInstanceOf(BuildFailedException.class).hasMessageContaining("broken").hasMessageContaining("line 3");
    assertThatThrownBy(() -> BuildpackRelease.parse("broken", "config_vars:\n  NOT-A-NAME: x\n"))
        .isInstanceOf(BuildFailedException.class).hasMessageContaining("NOT-A-NAME");
  }
}
