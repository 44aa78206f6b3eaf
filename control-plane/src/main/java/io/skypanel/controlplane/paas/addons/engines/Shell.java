package io.skypanel.controlplane.paas.addons.engines;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;

/** What the engines share: shell quoting, URL user-info encoding and random names and passwords. */
final class Shell {

  private static final SecureRandom RANDOM = new SecureRandom();

  private Shell() {
  }

  /** {@code value} single-quoted for {@code /bin/sh}: nothing in it is expanded. */
  static String quote(String value) {
    return "'" + value.replace("'", "'\\''") + "'";
  }

  /**
   * A shell fragment exporting {@code variable} with the content of {@code file}: the secret is read inside the
   * task's own shell, so it never appears in a command line, an environment list or a label.
   */
  static String exportFile(String variable, String file) {
    return "export " + variable + "=\"$(cat " + quote(file) + ")\"";
  }

  /** {@code value} encoded for a URL's user-info or path. */
  static String url(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /** A random URL-safe password of {@code bytes} random bytes (no padding). */
  static String password(int bytes) {
    byte[] random = new byte[bytes];
    RANDOM.nextBytes(random);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(random);
  }

  /** A random identifier: {@code prefix} and lowercase letters and digits, valid unquoted in SQL. */
  static String identifier(String prefix, int length) {
    String alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
    StringBuilder name = new StringBuilder(prefix);
    for (int i = 0; i < length; i++) {
      name.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
    }
    return name.toString();
  }
}
