package io.skypanel.edge.acme;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** The renewal point and the failure backoff, as plain arithmetic. */
class RenewalPolicyTest {

  private static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");
  private final RenewalPolicy policy = new RenewalPolicy(Duration.ofSeconds(60), Duration.ofHours(24));

  @Test
  void renewal_is_due_once_a_third_of_the_lifetime_is_left() {
    Instant notAfter = T0.plus(Duration.ofDays(90));
    assertThat(RenewalPolicy.renewalAt(T0, notAfter)).isEqualTo(T0.plus(Duration.ofDays(60)));
    assertThat(RenewalPolicy.renewalDue(T0, notAfter, T0.plus(Duration.ofDays(60)).minusSeconds(1))).isFalse();
    assertThat(RenewalPolicy.renewalDue(T0, notAfter, T0.plus(Duration.ofDays(60)))).isTrue();
    // a 7-day certificate renews after 4 days 16 hours
    assertThat(RenewalPolicy.renewalAt(T0, T0.plus(Duration.ofDays(7)))).isEqualTo(T0.plus(Duration.ofHours(112)));
  }

  @Test
  void failures_back_off_exponentially_up_to_the_maximum() {
    assertThat(policy.backoff(0)).isEqualTo(Duration.ofSeconds(60));
    assertThat(policy.backoff(1)).isEqualTo(Duration.ofSeconds(120));
    assertThat(policy.backoff(3)).isEqualTo(Duration.ofSeconds(480));
    assertThat(policy.backoff(10)).isEqualTo(Duration.ofSeconds(61440));
    assertThat(policy.backoff(11)).as("2^11 minutes passes 24 h").isEqualTo(Duration.ofHours(24));
    assertThat(policy.backoff(10_000)).isEqualTo(Duration.ofHours(24));
    assertThat(policy.nextAttempt(2, T0)).isEqualTo(T0.plusSeconds(240));
  }

  @Test
  void only_domains_without_a_current_certificate_or_past_their_renewal_point_need_an_order() {
    Instant notBefore = T0.minus(Duration.ofDays(10));
    Instant notAfter = T0.plus(Duration.ofDays(80));
    assertThat(RenewalPolicy.needsOrder("none", null, null, null, T0)).isTrue();
    assertThat(RenewalPolicy.needsOrder("failed", T0.plusSeconds(1), null, null, T0)).as("backing off").isFalse();
    assertThat(RenewalPolicy.needsOrder("failed", T0, null, null, T0)).as("backoff over").isTrue();
    assertThat(RenewalPolicy.needsOrder("issued", null, notBefore, notAfter, T0)).isFalse();
    assertThat(RenewalPolicy.needsOrder("issued", null, notBefore, notAfter, notBefore.plus(Duration.ofDays(60)))).isTrue();
    assertThat(RenewalPolicy.needsOrder("issued", null, null, T0.plus(Duration.ofDays(29)), T0)).as("pre-V7 row, 90 days assumed").isTrue();
    assertThat(RenewalPolicy.needsOrder("issued", null, null, T0.plus(Duration.ofDays(31)), T0)).isFalse();
  }
}
