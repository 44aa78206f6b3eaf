package io.skypanel.controlplane.caas.domains;

import io.skypanel.common.errors.ApiException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** The rules a custom hostname must pass before it is stored. */
class HostnamesTest {

  private static final String BASE = "apps.skypanel.test";

  private static String normalize(String hostname) {
    return Hostnames.normalize(hostname, BASE);
  }

  /** The 422 code a hostname is refused with. */
  private static String refusal(String hostname) {
    ApiException refused = catchThrowableOfType(ApiException.class, () -> normalize(hostname));
    assertThat(refused).as("refusal of '%s'", hostname).isNotNull();
    assertThat(refused.status()).isEqualTo(422);
    assertThat(refused.getMessage()).isNotBlank();
    assertThat(refused.details().getJsonObject(0).getString("field")).isEqualTo("/hostname");
    return refused.code();
  }

  @Test
  void lowercases_trims_and_drops_a_trailing_dot() {
    assertThat(normalize("Shop.Example.COM")).isEqualTo("shop.example.com");
    assertThat(normalize("  shop.example.com.  ")).isEqualTo("shop.example.com");
    assertThat(normalize("a-b.xn--bcher-kva.example")).isEqualTo("a-b.xn--bcher-kva.example");
    assertThat(normalize("1shop.example")).as("a label may start with a digit").isEqualTo("1shop.example");
  }

  @Test
  void needs_two_labels_of_letters_digits_and_inner_hyphens() {
    assertThat(refusal("localhost")).isEqualTo("invalid_hostname");
    assertThat(refusal("")).isEqualTo("invalid_hostname");
    assertThat(refusal("   ")).isEqualTo("invalid_hostname");
    assertThat(refusal(null)).isEqualTo("invalid_hostname");
    assertThat(refusal("shop..example.com")).isEqualTo("invalid_hostname");
    assertThat(refusal(".shop.example.com")).isEqualTo("invalid_hostname");
    assertThat(refusal("shop.example.com..")).isEqualTo("invalid_hostname");
    assertThat(refusal("-shop.example.com")).isEqualTo("invalid_hostname");
    assertThat(refusal("shop-.example.com")).isEqualTo("invalid_hostname");
    assertThat(refusal("shop_1.example.com")).isEqualTo("invalid_hostname");
    assertThat(refusal("shop example.com")).isEqualTo("invalid_hostname");
    assertThat(refusal("shop.example.com/path")).isEqualTo("invalid_hostname");
    assertThat(refusal("https://shop.example.com")).isEqualTo("invalid_hostname");
    assertThat(refusal("bücher.example")).as("unicode: use punycode").isEqualTo("invalid_hostname");
    assertThat(refusal("shop.example.123")).as("numeric top-level label").isEqualTo("invalid_hostname");
  }

  @Test
  void limits_labels_to_63_and_names_to_253_characters() {
    String label63 = "a".repeat(63);
    assertThat(normalize(label63 + ".example")).isEqualTo(label63 + ".example");
    assertThat(refusal("a".repeat(64) + ".example")).isEqualTo("invalid_hostname");

    // three 63-character labels, one of 57 and "com", with their dots: exactly 253 characters
    String longest = label63 + "." + label63 + "." + label63 + "." + "b".repeat(57) + ".com";
    assertThat(longest).hasSize(253);
    assertThat(normalize(longest)).isEqualTo(longest);
    assertThat(normalize(longest + ".")).as("253 plus the trailing dot").isEqualTo(longest);
    ApiException tooLong = catchThrowableOfType(ApiException.class, () -> normalize("c." + longest));
    assertThat(tooLong.code()).isEqualTo("invalid_hostname");
    assertThat(tooLong.getMessage()).contains("253");
  }

  @Test
  void refuses_ip_addresses() {
    assertThat(refusal("192.0.2.10")).isEqualTo("ip_address_not_allowed");
    assertThat(refusal("2001:db8::1")).isEqualTo("ip_address_not_allowed");
    assertThat(refusal("[2001:db8::1]")).isEqualTo("ip_address_not_allowed");
  }

  @Test
  void refuses_wildcards_because_http01_cannot_issue_them() {
    ApiException refused = catchThrowableOfType(ApiException.class, () -> normalize("*.example.com"));
    assertThat(refused.code()).isEqualTo("wildcard_not_supported");
    assertThat(refused.getMessage()).contains("HTTP-01").contains("wildcard");
    assertThat(refusal("shop.*.example.com")).isEqualTo("wildcard_not_supported");
  }

  @Test
  void refuses_the_platform_base_domain_and_names_under_it() {
    assertThat(refusal("apps.skypanel.test")).isEqualTo("reserved_hostname");
    assertThat(refusal("web-acme.apps.skypanel.test")).isEqualTo("reserved_hostname");
    assertThat(refusal("WEB.Apps.SkyPanel.Test.")).isEqualTo("reserved_hostname");
    assertThat(normalize("myapps.skypanel.test")).as("a sibling that only ends with the same characters").isEqualTo("myapps.skypanel.test");
  }

  @Test
  void the_challenge_record_is_under_the_hostname() {
    assertThat(Hostnames.challengeName("shop.example.com")).isEqualTo("_skypanel-challenge.shop.example.com");
  }
}
