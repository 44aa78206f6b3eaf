package io.skypanel.controlplane.paas.webhooks;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Locale;

/**
 * How each provider proves a delivery came from it, checked against the webhook's secret in constant time
 * ({@link MessageDigest#isEqual}) over the raw body as received: GitHub {@code X-Hub-Signature-256: sha256=<hex
 * HMAC-SHA256>}, Gitea {@code X-Gitea-Signature: <hex HMAC-SHA256>}, GitLab {@code X-Gitlab-Token: <secret>}.
 * Also reads each provider's event and delivery id headers.
 */
public final class WebhookSignatures {

  private WebhookSignatures() {
  }

  /** Whether the delivery's signature (or token) matches {@code secret}; a missing one never does. */
  public static boolean valid(String provider, String secret, MultiMap headers, Buffer body) {
    return switch (provider) {
      case "github" -> {
        String header = headers.get("X-Hub-Signature-256");
        yield header != null && header.startsWith("sha256=") && equal(hmacHex(secret, body), header.substring(7).toLowerCase(Locale.ROOT));
      }
      case "gitea" -> {
        String header = headers.get("X-Gitea-Signature");
        yield header != null && equal(hmacHex(secret, body), header.trim().toLowerCase(Locale.ROOT));
      }
      case "gitlab" -> {
        String header = headers.get("X-Gitlab-Token");
        yield header != null && equal(secret, header);
      }
      default -> false;
    };
  }

  /** The provider's event name ({@code push}, {@code ping}, GitLab's {@code Push Hook}), or null. */
  public static String event(String provider, MultiMap headers) {
    return switch (provider) {
      case "github" -> headers.get("X-GitHub-Event");
      case "gitlab" -> headers.get("X-Gitlab-Event");
      case "gitea" -> headers.get("X-Gitea-Event");
      default -> null;
    };
  }

  /** Whether the event is a push (the only one that builds). */
  public static boolean isPush(String provider, String event) {
    return "gitlab".equals(provider) ? "Push Hook".equals(event) : "push".equals(event);
  }

  /** The provider's id of this delivery (the same on its retries and redeliveries), or null. */
  public static String deliveryId(String provider, MultiMap headers) {
    String id = switch (provider) {
      case "github" -> headers.get("X-GitHub-Delivery");
      case "gitlab" -> headers.get("X-Gitlab-Event-UUID") != null ? headers.get("X-Gitlab-Event-UUID") : headers.get("Idempotency-Key");
      case "gitea" -> headers.get("X-Gitea-Delivery");
      default -> null;
    };
    return id == null || id.isBlank() || id.length() > 128 ? null : id.trim();
  }

  static String hmacHex(String secret, Buffer body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal(body.getBytes()));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }

  private static boolean equal(String expected, String given) {
    return MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8), given.getBytes(StandardCharsets.UTF_8));
  }
}
