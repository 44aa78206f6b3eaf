package io.skypanel.controlplane.caas.policies;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The pure parts: reference parsing and normalisation, glob matching and rule evaluation. */
class ImagePolicyTest {

  private static final String DIGEST = "sha256:" + "ab12".repeat(16);

  private static ImageReference ref(String text) {
    return ImageReference.parse(text);
  }

  private static ImagePolicy policy(List<String> registries, List<String> allowed, List<String> blocked, boolean digest) {
    return new ImagePolicy(registries, allowed, blocked, digest);
  }

  // --- references ------------------------------------------------------------------------------

  @Test
  void a_single_name_is_an_official_docker_hub_image_tagged_latest() {
    ImageReference nginx = ref("nginx");

    assertThat(nginx.registry()).isEqualTo("docker.io");
    assertThat(nginx.repository()).isEqualTo("library/nginx");
    assertThat(nginx.tag()).isEqualTo("latest");
    assertThat(nginx.digest()).isNull();
    assertThat(nginx.canonical()).isEqualTo("docker.io/library/nginx:latest");
  }

  @Test
  void docker_hub_spellings_all_normalise_to_docker_io() {
    assertThat(ref("bitnami/redis:7.2").canonical()).isEqualTo("docker.io/bitnami/redis:7.2");
    assertThat(ref("docker.io/nginx:1.25").canonical()).isEqualTo("docker.io/library/nginx:1.25");
    assertThat(ref("index.docker.io/library/nginx").canonical()).isEqualTo("docker.io/library/nginx:latest");
    assertThat(ref("registry-1.docker.io/acme/api:v2").canonical()).isEqualTo("docker.io/acme/api:v2");
    assertThat(ref("library/nginx").name()).isEqualTo("docker.io/library/nginx");
  }

  @Test
  void a_host_with_a_port_is_a_registry() {
    ImageReference local = ref("localhost:5000/app:1");
    assertThat(local.registry()).isEqualTo("localhost:5000");
    assertThat(local.repository()).isEqualTo("app");
    assertThat(local.tag()).isEqualTo("1");

    ImageReference loopback = ref("127.0.0.1:5000/team/app");
    assertThat(loopback.registry()).isEqualTo("127.0.0.1:5000");
    assertThat(loopback.repository()).isEqualTo("team/app");
    assertThat(loopback.tag()).isEqualTo("latest");

    assertThat(ref("localhost/app").registry()).isEqualTo("localhost");
    assertThat(ref("GHCR.io/acme/api:1").registry()).isEqualTo("ghcr.io");
    assertThat(ref("registry.example.com/deep/path/app:x").repository()).isEqualTo("deep/path/app");
  }

  @Test
  void a_digest_reference_keeps_its_digest_and_gets_no_implicit_tag() {
    ImageReference pinned = ref("ghcr.io/acme/api@" + DIGEST);
    assertThat(pinned.registry()).isEqualTo("ghcr.io");
    assertThat(pinned.repository()).isEqualTo("acme/api");
    assertThat(pinned.tag()).isNull();
    assertThat(pinned.digest()).isEqualTo(DIGEST);
    assertThat(pinned.canonical()).isEqualTo("ghcr.io/acme/api@" + DIGEST);

    ImageReference both = ref("nginx:1.25@" + DIGEST);
    assertThat(both.tag()).isEqualTo("1.25");
    assertThat(both.digest()).isEqualTo(DIGEST);
    assertThat(both.canonical()).isEqualTo("docker.io/library/nginx:1.25@" + DIGEST);

    ImageReference withPort = ref("localhost:5000/app@" + DIGEST);
    assertThat(withPort.registry()).isEqualTo("localhost:5000");
    assertThat(withPort.tag()).isNull();
  }

  @Test
  void malformed_references_are_refused_with_a_reason() {
    assertThatThrownBy(() -> ref("")).hasMessageContaining("empty");
    assertThatThrownBy(() -> ref("nginx:")).hasMessageContaining("tag");
    assertThatThrownBy(() -> ref("Nginx")).hasMessageContaining("repository");
    assertThatThrownBy(() -> ref("nginx latest")).hasMessageContaining("spaces");
    assertThatThrownBy(() -> ref("nginx@sha256:abc")).hasMessageContaining("digest");
    assertThatThrownBy(() -> ref("nginx@md5:" + "a".repeat(32))).hasMessageContaining("digest");
    assertThatThrownBy(() -> ref("acme//api")).hasMessageContaining("repository");
    assertThatThrownBy(() -> ref(":1")).hasMessageContaining("repository");
    assertThatThrownBy(() -> ref("localhost:99999/app")).hasMessageContaining("port");
    assertThatThrownBy(() -> ref("ghcr.io/" + "a".repeat(600))).hasMessageContaining("longer");
  }

  // --- patterns ----------------------------------------------------------------------------------

  @Test
  void patterns_match_the_name_the_tagged_form_or_the_digest_form() {
    assertThat(ImagePolicy.matches("docker.io/library/*", ref("nginx"))).isTrue();
    assertThat(ImagePolicy.matches("docker.io/library/*", ref("acme/api"))).isFalse();
    assertThat(ImagePolicy.matches("docker.io/library/nginx", ref("nginx:1.25"))).isTrue();
    assertThat(ImagePolicy.matches("docker.io/library/nginx", ref("nginx-extras"))).isFalse();
    assertThat(ImagePolicy.matches("*:latest", ref("nginx"))).as("implicit latest").isTrue();
    assertThat(ImagePolicy.matches("*:latest", ref("nginx:1.25"))).isFalse();
    assertThat(ImagePolicy.matches("*:latest", ref("nginx@" + DIGEST))).isFalse();
    assertThat(ImagePolicy.matches("*/*:latest", ref("ghcr.io/acme/api:latest"))).isTrue();
    assertThat(ImagePolicy.matches("*@sha256:*", ref("nginx@" + DIGEST))).isTrue();
    assertThat(ImagePolicy.matches("ghcr.io/acme/api:v?", ref("ghcr.io/acme/api:v1"))).isTrue();
    assertThat(ImagePolicy.matches("ghcr.io/acme/api:v?", ref("ghcr.io/acme/api:v10"))).isFalse();
    assertThat(ImagePolicy.matches("localhost:5000/*", ref("localhost:5000/app:1"))).isTrue();
    assertThat(ImagePolicy.matches("docker.io/library/nginx.", ref("nginx"))).as("dots are literal").isFalse();
  }

  @Test
  void pathological_patterns_are_matched_in_bounded_time() {
    String pattern = "*a".repeat(40) + "b";
    ImageReference image = ref("ghcr.io/" + "a".repeat(200));
    long started = System.nanoTime();
    assertThat(ImagePolicy.matches(pattern, image)).isFalse();
    assertThat(System.nanoTime() - started).isLessThan(1_000_000_000L);
  }

  // --- rules -------------------------------------------------------------------------------------

  @Test
  void an_empty_policy_allows_anything() {
    assertThat(ImagePolicy.OPEN.violation(ref("nginx"))).isNull();
    assertThat(ImagePolicy.OPEN.violation(ref("localhost:5000/app:1"))).isNull();
  }

  @Test
  void only_allowed_registries_may_be_used() {
    ImagePolicy policy = policy(List.of("docker.io", "localhost:5000"), List.of(), List.of(), false);

    assertThat(policy.violation(ref("nginx"))).isNull();
    assertThat(policy.violation(ref("localhost:5000/app:1"))).isNull();
    assertThat(policy.violation(ref("ghcr.io/acme/api:1"))).startsWith("registry ghcr.io is not in allowed_registries");
    assertThat(policy.violation(ref("localhost:5001/app:1"))).startsWith("registry localhost:5001 is not in allowed_registries");
  }

  @Test
  void a_blocked_pattern_refuses_the_image_and_is_named() {
    ImagePolicy policy = policy(List.of(), List.of(), List.of("docker.io/library/ubuntu", "*:latest"), false);

    assertThat(policy.violation(ref("nginx:1.25"))).isNull();
    assertThat(policy.violation(ref("nginx"))).isEqualTo("image docker.io/library/nginx:latest matches blocked pattern '*:latest'");
    assertThat(policy.violation(ref("ubuntu:22.04"))).isEqualTo("image docker.io/library/ubuntu:22.04 matches blocked pattern 'docker.io/library/ubuntu'");
  }

  @Test
  void allowed_patterns_admit_only_matching_images() {
    ImagePolicy policy = policy(List.of(), List.of("ghcr.io/acme/*", "docker.io/library/*"), List.of(), false);

    assertThat(policy.violation(ref("ghcr.io/acme/api:1"))).isNull();
    assertThat(policy.violation(ref("redis:7"))).isNull();
    assertThat(policy.violation(ref("ghcr.io/other/api:1"))).startsWith("image ghcr.io/other/api:1 matches none of allowed_patterns");
  }

  @Test
  void require_digest_refuses_tags() {
    ImagePolicy policy = policy(List.of(), List.of(), List.of(), true);

    assertThat(policy.violation(ref("nginx@" + DIGEST))).isNull();
    assertThat(policy.violation(ref("nginx:1.25@" + DIGEST))).isNull();
    assertThat(policy.violation(ref("nginx:1.25"))).contains("a digest is required").contains("docker.io/library/nginx@sha256:");
  }

  @Test
  void the_first_failing_rule_in_order_is_reported() {
    ImagePolicy policy = policy(List.of("docker.io"), List.of("docker.io/library/*"), List.of("*:latest"), true);

    assertThat(policy.violation(ref("ghcr.io/acme/api:latest"))).startsWith("registry ghcr.io");
    assertThat(policy.violation(ref("nginx"))).contains("blocked pattern");
    assertThat(policy.violation(ref("acme/api:1"))).contains("allowed_patterns");
    assertThat(policy.violation(ref("nginx:1"))).contains("digest is required");
    assertThat(policy.violation(ref("nginx@" + DIGEST))).isNull();
  }

  @Test
  void organization_rules_only_tighten_the_platform_defaults() {
    ImagePolicy defaults = policy(List.of("docker.io", "ghcr.io"), List.of(), List.of("*:latest"), true);

    ImagePolicy inherited = PolicyService.merge(ImagePolicy.OPEN, defaults);
    assertThat(inherited).isEqualTo(defaults);

    ImagePolicy own = policy(List.of("ghcr.io", "evil.example.com"), List.of("ghcr.io/acme/*"), List.of("*:dev"), false);
    ImagePolicy merged = PolicyService.merge(own, defaults);
    assertThat(merged.allowedRegistries()).as("narrowed, never widened").containsExactly("ghcr.io");
    assertThat(merged.allowedPatterns()).containsExactly("ghcr.io/acme/*");
    assertThat(merged.blockedPatterns()).containsExactly("*:latest", "*:dev");
    assertThat(merged.requireDigest()).isTrue();

    ImagePolicy outside = PolicyService.merge(policy(List.of("evil.example.com"), List.of(), List.of(), false), defaults);
    assertThat(outside.violation(ref("evil.example.com/app:1"))).isNotNull();
    assertThat(outside.violation(ref("docker.io/library/nginx@sha256:" + "a".repeat(64)))).isNotNull();

    ImagePolicy openPlatform = policy(List.of(), List.of(), List.of(), false);
    assertThat(PolicyService.merge(own, openPlatform).allowedRegistries()).containsExactly("ghcr.io", "evil.example.com");
  }
}
