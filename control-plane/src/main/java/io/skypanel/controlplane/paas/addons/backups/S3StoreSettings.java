package io.skypanel.controlplane.paas.addons.backups;

import io.skypanel.common.config.Settings;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * Where an S3-compatible backup store is ({@code SKYPANEL_BACKUP_S3_*}), read once at start when
 * {@code SKYPANEL_BACKUP_STORE=s3}. A missing bucket or key, or a malformed endpoint, stops the start with a message
 * naming the setting. {@link #toString} hides the secret key, so printing the options never leaks it.
 *
 * @param endpoint  the server's base URL ({@code SKYPANEL_BACKUP_S3_ENDPOINT}); {@code null} for AWS's own endpoint
 *                  of {@code region}
 * @param region    the signing region ({@code SKYPANEL_BACKUP_S3_REGION}, default {@code us-east-1})
 * @param bucket    the bucket, which must exist ({@code SKYPANEL_BACKUP_S3_BUCKET})
 * @param prefix    what every object key starts with ({@code SKYPANEL_BACKUP_S3_PREFIX}, default {@code addon-backups/})
 * @param accessKey the access key id ({@code SKYPANEL_BACKUP_S3_ACCESS_KEY})
 * @param secretKey the secret access key ({@code SKYPANEL_BACKUP_S3_SECRET_KEY}, or the content of the file
 *                  {@code SKYPANEL_BACKUP_S3_SECRET_KEY_FILE} names); never logged nor put in a message
 */
public record S3StoreSettings(URI endpoint, String region, String bucket, String prefix, String accessKey, String secretKey) {

  /** {@code SKYPANEL_BACKUP_STORE}: {@code local} (default) or {@code s3}. */
  public static final String STORE = "SKYPANEL_BACKUP_STORE";
  public static final String DEFAULT_REGION = "us-east-1";
  public static final String DEFAULT_PREFIX = "addon-backups/";

  public S3StoreSettings {
    require(endpoint == null || ("http".equals(endpoint.getScheme()) || "https".equals(endpoint.getScheme())) && endpoint.getHost() != null,
        "SKYPANEL_BACKUP_S3_ENDPOINT must be an http(s) URL");
    require(region != null && region.matches("[a-z0-9-]{1,64}"), "SKYPANEL_BACKUP_S3_REGION must be a region name such as us-east-1");
    require(bucket != null, "SKYPANEL_BACKUP_S3_BUCKET must be set when SKYPANEL_BACKUP_STORE is s3");
    // S3's bucket naming rules, so a typo fails at start rather than at the first backup
    require(bucket.matches("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]"), "SKYPANEL_BACKUP_S3_BUCKET must be a bucket name (3-63 of a-z 0-9 . -)");
    require(prefix != null && !prefix.startsWith("/") && prefix.length() <= 256, "SKYPANEL_BACKUP_S3_PREFIX must not start with / and be at most 256 characters");
    require(accessKey != null, "SKYPANEL_BACKUP_S3_ACCESS_KEY must be set when SKYPANEL_BACKUP_STORE is s3");
    require(secretKey != null, "SKYPANEL_BACKUP_S3_SECRET_KEY (or _FILE) must be set when SKYPANEL_BACKUP_STORE is s3");
  }

  /** The S3 settings when {@code SKYPANEL_BACKUP_STORE} is {@code s3}; {@code null} for the local directory store. */
  public static S3StoreSettings from(Settings settings) {
    String store = settings.string(STORE, "local").toLowerCase(Locale.ROOT);
    if (store.equals("local")) {
      return null;
    }
    require(store.equals("s3"), STORE + " must be local or s3, got '" + store + "'");
    String endpoint = settings.optional("SKYPANEL_BACKUP_S3_ENDPOINT");
    return new S3StoreSettings(endpoint == null ? null : uri(endpoint), settings.string("SKYPANEL_BACKUP_S3_REGION", DEFAULT_REGION),
        settings.optional("SKYPANEL_BACKUP_S3_BUCKET"), settings.string("SKYPANEL_BACKUP_S3_PREFIX", DEFAULT_PREFIX),
        settings.optional("SKYPANEL_BACKUP_S3_ACCESS_KEY"), secretKey(settings));
  }

  /** The secret from the setting, or from the file {@code SKYPANEL_BACKUP_S3_SECRET_KEY_FILE} names (a Docker secret). */
  private static String secretKey(Settings settings) {
    String value = settings.optional("SKYPANEL_BACKUP_S3_SECRET_KEY");
    String file = settings.optional("SKYPANEL_BACKUP_S3_SECRET_KEY_FILE");
    if (file == null) {
      return value;
    }
    require(value == null, "set SKYPANEL_BACKUP_S3_SECRET_KEY or SKYPANEL_BACKUP_S3_SECRET_KEY_FILE, not both");
    try {
      String content = Files.readString(Path.of(file)).strip();
      return content.isEmpty() ? null : content;
    } catch (IOException e) {
      throw new IllegalArgumentException("SKYPANEL_BACKUP_S3_SECRET_KEY_FILE " + file + " cannot be read: " + e.getClass().getSimpleName());
    }
  }

  @Override
  public String toString() {
    return "S3StoreSettings[endpoint=" + endpoint + ", region=" + region + ", bucket=" + bucket + ", prefix=" + prefix
        + ", accessKey=" + accessKey + ", secretKey=***]";
  }

  private static URI uri(String text) {
    try {
      return new URI(text);
    } catch (URISyntaxException e) {
      // the value itself is not echoed: an endpoint may carry userinfo
      throw new IllegalArgumentException("SKYPANEL_BACKUP_S3_ENDPOINT must be an http(s) URL");
    }
  }

  private static void require(boolean condition, String message) {
    if (!condition) {
      throw new IllegalArgumentException(message);
    }
  }
}
