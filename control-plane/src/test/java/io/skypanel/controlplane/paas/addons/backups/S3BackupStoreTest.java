package io.skypanel.controlplane.paas.addons.backups;

import io.skypanel.common.config.Settings;
import io.skypanel.controlplane.ControlPlaneOptions;
import io.skypanel.controlplane.support.Await;
import io.skypanel.controlplane.support.S3ProxyServer;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.streams.ReadStream;
import io.vertx.junit5.VertxExtension;
import org.jclouds.blobstore.BlobStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.MultipartUpload;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.UUID;

import static io.skypanel.controlplane.support.S3ProxyServer.ACCESS_KEY;
import static io.skypanel.controlplane.support.S3ProxyServer.BUCKET;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link S3BackupStore} against a real S3-compatible server: S3Proxy in-process on loopback, over jclouds' filesystem
 * provider in a temporary directory, checking AWS v2/v4 signatures with its own key pair. Each test uses its own
 * prefix, so they do not see each other's objects.
 */
@ExtendWith(VertxExtension.class)
class S3BackupStoreTest {

  private static S3ProxyServer s3;
  private static WorkerExecutor workers;

  @BeforeAll
  static void s3proxy(Vertx vertx) {
    s3 = S3ProxyServer.start();
    workers = vertx.createSharedWorkerExecutor("s3-backup-store-test", 2);
  }

  @AfterAll
  static void stop() throws Exception {
    if (workers != null) {
      workers.close();
    }
    if (s3 != null) {
      s3.close();
    }
  }

  private static S3BackupStore store(Vertx vertx, String prefix, String secret) {
    return new S3BackupStore(vertx, workers, new S3StoreSettings(s3.endpoint(), "us-east-1", BUCKET, prefix, ACCESS_KEY, secret));
  }

  private static String prefix() {
    return "t-" + UUID.randomUUID() + "/";
  }

  /** Everything the server holds under the prefix, multipart leftovers included (straight from its blob store). */
  private static List<String> stored(String prefix) {
    return s3.stored(prefix);
  }

  /** The multipart uploads begun and neither completed nor aborted, as the server lists them. */
  private static List<String> pendingUploads(String prefix) {
    try (S3Client client = S3BackupStore.client(new S3StoreSettings(s3.endpoint(), "us-east-1", BUCKET, prefix, ACCESS_KEY, s3.secretKey()))) {
      return client.listMultipartUploads(b -> b.bucket(BUCKET).prefix(prefix)).uploads().stream().map(MultipartUpload::key).toList();
    }
  }

  @Test
  void put_open_size_keys_and_delete_round_trip(Vertx vertx) throws IOException {
    String prefix = prefix();
    try (S3BackupStore store = store(vertx, prefix, s3.secretKey())) {
      byte[] content = "a small dump".getBytes(StandardCharsets.UTF_8);
      store.put("backup-1", out -> out.write(content));
      store.put("backup-2", out -> out.write(new byte[] {1, 2, 3}));

      assertThat(stored(prefix)).containsExactlyInAnyOrder(prefix + "backup-1.gz", prefix + "backup-2.gz");
      assertThat(store.keys()).containsExactlyInAnyOrder("backup-1", "backup-2");
      assertThat(store.size("backup-1")).isEqualTo(content.length);
      try (InputStream in = store.open("backup-1")) {
        assertThat(in.readAllBytes()).isEqualTo(content);
      }

      store.delete("backup-1");
      store.delete("backup-1"); // deleting what is gone is no error
      assertThat(store.keys()).containsExactly("backup-2");
      assertThatThrownBy(() -> store.open("backup-1")).isInstanceOf(NoSuchFileException.class);
      assertThatThrownBy(() -> store.size("backup-1")).isInstanceOf(NoSuchFileException.class);
      assertThatThrownBy(() -> store.put("../escape", out -> out.write(1))).hasMessage("not a backup key");
    }
  }

  @Test
  void keys_ignores_objects_that_are_not_backups(Vertx vertx) throws IOException {
    String prefix = prefix();
    try (S3BackupStore store = store(vertx, prefix, s3.secretKey())) {
      store.put("kept", out -> out.write(7));
      BlobStore direct = s3.blobStore();
      direct.putBlob(BUCKET, direct.blobBuilder(prefix + "notes.txt").payload("x").build());
      direct.putBlob(BUCKET, direct.blobBuilder(prefix + "nested/other.gz").payload("x").build());
      assertThat(store.keys()).containsExactly("kept");
    }
  }

  @Test
  void a_large_streamed_put_is_a_multipart_upload_that_reads_back_identical(Vertx vertx) throws Exception {
    String prefix = prefix();
    long size = 21L * 1024 * 1024 + 12_345; // three parts of 8 MiB, the last one short
    try (S3BackupStore store = store(vertx, prefix, s3.secretKey())) {
      MessageDigest written = MessageDigest.getInstance("SHA-256");
      store.put("large", out -> writeRandom(out, size, written));

      assertThat(store.size("large")).isEqualTo(size);
      MessageDigest read = MessageDigest.getInstance("SHA-256");
      try (InputStream in = store.open("large")) {
        byte[] chunk = new byte[65_536];
        for (int n; (n = in.read(chunk)) > 0; ) {
          read.update(chunk, 0, n);
        }
      }
      assertThat(HexFormat.of().formatHex(read.digest())).isEqualTo(HexFormat.of().formatHex(written.digest()));
      assertThat(stored(prefix)).containsExactly(prefix + "large.gz");
    }
  }

  @Test
  void a_put_whose_writer_fails_leaves_no_object_and_no_pending_upload(Vertx vertx) throws IOException {
    String prefix = prefix();
    try (S3BackupStore store = store(vertx, prefix, s3.secretKey())) {
      // more than a part, so a multipart upload was begun and parts were stored before the failure
      assertThatThrownBy(() -> store.put("broken", out -> {
        writeRandom(out, S3BackupStore.PART_SIZE + 1024, null);
        throw new IOException("the dump task died");
      })).isInstanceOf(IOException.class).hasMessage("the dump task died");
      // and one that fails before its first part is full
      assertThatThrownBy(() -> store.put("short", out -> {
        out.write(new byte[100]);
        throw new IllegalStateException("gone");
      })).isInstanceOf(IllegalStateException.class);

      assertThat(store.keys()).isEmpty();
      assertThat(stored(prefix)).isEmpty();
      assertThat(pendingUploads(prefix)).isEmpty();
      assertThatThrownBy(() -> store.open("broken")).isInstanceOf(NoSuchFileException.class);
    }
  }

  @Test
  void read_streams_the_object_to_a_vertx_write_stream(Vertx vertx) throws Exception {
    String prefix = prefix();
    long size = 3L * 1024 * 1024 + 7;
    Path target = Files.createTempFile("s3-download-", ".gz");
    try (S3BackupStore store = store(vertx, prefix, s3.secretKey())) {
      MessageDigest written = MessageDigest.getInstance("SHA-256");
      store.put("download", out -> writeRandom(out, size, written));

      ReadStream<Buffer> content = Await.result(store.read("download"));
      AsyncFile file = Await.result(vertx.fileSystem().open(target.toString(), new OpenOptions().setWrite(true).setTruncateExisting(true)));
      Await.result(content.pipeTo(file));

      assertThat(Files.size(target)).isEqualTo(size);
      MessageDigest read = MessageDigest.getInstance("SHA-256");
      read.update(Files.readAllBytes(target));
      assertThat(read.digest()).isEqualTo(written.digest());
      assertThat(Await.failure(store.read("missing"))).isInstanceOf(NoSuchFileException.class);
    } finally {
      Files.deleteIfExists(target);
    }
  }

  @Test
  void a_wrong_secret_fails_the_put_without_revealing_the_secret(Vertx vertx) {
    String prefix = prefix();
    String wrong = "wrong-secret-" + UUID.randomUUID();
    try (S3BackupStore store = store(vertx, prefix, wrong)) {
      Throwable failure = org.assertj.core.api.Assertions.catchThrowable(() -> store.put("refused", out -> out.write(new byte[10])));
      assertThat(failure).isInstanceOf(IOException.class).hasMessageContaining("failed");
      for (Throwable t = failure; t != null; t = t.getCause()) {
        assertThat(String.valueOf(t)).doesNotContain(wrong).doesNotContain(s3.secretKey());
      }
      assertThat(stored(prefix)).isEmpty();
    }
  }

  @Test
  void the_store_defaults_to_the_local_directory() {
    ControlPlaneOptions options = ControlPlaneOptions.from(new Settings(new JsonObject()));
    assertThat(options.addonBackups().s3()).isNull();
  }

  @Test
  void s3_settings_take_their_defaults_and_hide_the_secret() {
    ControlPlaneOptions options = ControlPlaneOptions.from(new Settings(new JsonObject().put("SKYPANEL_BACKUP_STORE", "s3")
        .put("SKYPANEL_BACKUP_S3_ENDPOINT", "http://127.0.0.1:9000").put("SKYPANEL_BACKUP_S3_BUCKET", "backups")
        .put("SKYPANEL_BACKUP_S3_ACCESS_KEY", "id").put("SKYPANEL_BACKUP_S3_SECRET_KEY", "very-secret")));
    S3StoreSettings parsed = options.addonBackups().s3();
    assertThat(parsed.region()).isEqualTo("us-east-1");
    assertThat(parsed.prefix()).isEqualTo("addon-backups/");
    assertThat(parsed.endpoint()).isEqualTo(URI.create("http://127.0.0.1:9000"));
    assertThat(parsed.secretKey()).isEqualTo("very-secret");
    assertThat(options.toString()).doesNotContain("very-secret");
  }

  @Test
  void s3_without_a_bucket_or_keys_is_refused_naming_the_setting() {
    JsonObject complete = new JsonObject().put("SKYPANEL_BACKUP_STORE", "s3").put("SKYPANEL_BACKUP_S3_BUCKET", "backups")
        .put("SKYPANEL_BACKUP_S3_ACCESS_KEY", "id").put("SKYPANEL_BACKUP_S3_SECRET_KEY", "very-secret");
    for (String missing : List.of("SKYPANEL_BACKUP_S3_BUCKET", "SKYPANEL_BACKUP_S3_ACCESS_KEY", "SKYPANEL_BACKUP_S3_SECRET_KEY")) {
      JsonObject settings = complete.copy();
      settings.remove(missing);
      assertThatThrownBy(() -> ControlPlaneOptions.from(new Settings(settings))).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(missing);
    }
    assertThatThrownBy(() -> ControlPlaneOptions.from(new Settings(complete.copy().put("SKYPANEL_BACKUP_STORE", "ftp"))))
        .hasMessageContaining("SKYPANEL_BACKUP_STORE");
    assertThatThrownBy(() -> ControlPlaneOptions.from(new Settings(complete.copy().put("SKYPANEL_BACKUP_S3_ENDPOINT", "ftp://host"))))
        .hasMessageContaining("SKYPANEL_BACKUP_S3_ENDPOINT");
  }

  @Test
  void the_secret_key_can_come_from_a_file() throws IOException {
    Path file = Files.createTempFile("s3-secret-", ".txt");
    try {
      Files.writeString(file, "from-a-file\n");
      JsonObject settings = new JsonObject().put("SKYPANEL_BACKUP_STORE", "s3").put("SKYPANEL_BACKUP_S3_BUCKET", "backups")
          .put("SKYPANEL_BACKUP_S3_ACCESS_KEY", "id").put("SKYPANEL_BACKUP_S3_SECRET_KEY_FILE", file.toString());
      assertThat(ControlPlaneOptions.from(new Settings(settings)).addonBackups().s3().secretKey()).isEqualTo("from-a-file");
      assertThatThrownBy(() -> ControlPlaneOptions.from(new Settings(settings.copy().put("SKYPANEL_BACKUP_S3_SECRET_KEY", "x"))))
          .hasMessageContaining("not both");
      assertThatThrownBy(() -> ControlPlaneOptions.from(new Settings(settings.copy().put("SKYPANEL_BACKUP_S3_SECRET_KEY_FILE", file + ".gone"))))
          .hasMessageContaining("SKYPANEL_BACKUP_S3_SECRET_KEY_FILE");
    } finally {
      Files.deleteIfExists(file);
    }
  }

  /** Random bytes (incompressible, so sizes are real) into {@code out}, digested on the way when asked. */
  private static void writeRandom(OutputStream out, long size, MessageDigest digest) throws IOException {
    Random random = new Random(size);
    byte[] chunk = new byte[100_000];
    for (long left = size; left > 0; ) {
      random.nextBytes(chunk);
      int n = (int) Math.min(chunk.length, left);
      if (digest != null) {
        digest.update(chunk, 0, n);
      }
      out.write(chunk, 0, n);
      left -= n;
    }
  }
}
