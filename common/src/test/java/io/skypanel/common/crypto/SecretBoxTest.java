package io.skypanel.common.crypto;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SecretBoxTest {

  private static byte[] key() {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    return key;
  }

  @Test
  void round_trips_and_never_repeats_a_ciphertext() {
    SecretBox box = new SecretBox(key());
    String first = box.encrypt("registry-password");
    String second = box.encrypt("registry-password");
    assertThat(first).startsWith("v1:").doesNotContain("registry-password").isNotEqualTo(second);
    assertThat(box.decryptToString(first)).isEqualTo("registry-password");
  }

  @Test
  void a_tampered_value_or_another_key_fails_without_revealing_it() {
    SecretBox box = new SecretBox(key());
    String sealed = box.encrypt("s3cret");
    byte[] raw = Base64.getDecoder().decode(sealed.substring(3));
    raw[raw.length - 1] ^= 1;
    String tampered = "v1:" + Base64.getEncoder().encodeToString(raw);
    assertThatThrownBy(() -> box.decrypt(tampered)).hasMessageNotContaining("s3cret");
    assertThatThrownBy(() -> new SecretBox(key()).decrypt(sealed)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void generates_a_private_master_key_once_and_reuses_it(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
    byte[] first = MasterKey.load(null, dir);
    byte[] second = MasterKey.load(null, dir);
    assertThat(first).hasSize(32).isEqualTo(second);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("master.key")))).isEqualTo("rw-------");
  }

  @Test
  void a_configured_master_key_must_be_32_bytes(@org.junit.jupiter.api.io.TempDir Path dir) {
    assertThatThrownBy(() -> MasterKey.load(Base64.getEncoder().encodeToString(new byte[16]), dir)).hasMessageContaining("32 bytes");
  }
}
