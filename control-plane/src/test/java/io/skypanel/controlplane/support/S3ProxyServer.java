package io.skypanel.controlplane.support;

import io.vertx.core.json.JsonObject;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.BlobStoreContext;
import org.jclouds.blobstore.domain.StorageMetadata;
import org.jclouds.blobstore.options.ListContainerOptions;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.UUID;

/**
 * A real S3-compatible server for tests: S3Proxy in-process on 127.0.0.1 (a free port), over jclouds' filesystem
 * provider in a temporary directory, with one bucket and its own key pair (AWS v2/v4 signatures are checked).
 * {@link #blobStore} looks at what it stores from behind the S3 API.
 */
public final class S3ProxyServer implements AutoCloseable {

  public static final String BUCKET = "skypanel-backups";
  public static final String ACCESS_KEY = "skypanel-test-access";

  private final String secretKey = "skypanel-test-secret-" + UUID.randomUUID();
  private final Path basedir;
  private final BlobStoreContext blobs;
  private final S3Proxy proxy;

  private S3ProxyServer() throws Exception {
    basedir = Files.createTempDirectory("s3proxy-");
    Properties properties = new Properties();
    properties.setProperty("jclouds.filesystem.basedir", basedir.toString());
    blobs = ContextBuilder.newBuilder("filesystem").credentials("unused", "unused").overrides(properties).build(BlobStoreContext.class);
    blobs.getBlobStore().createContainerInLocation(null, BUCKET);
    proxy = S3Proxy.builder().blobStore(blobs.getBlobStore()).endpoint(URI.create("http://127.0.0.1:0"))
        .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, secretKey).build();
    proxy.start(); // Jetty's start returns once the connector listens
    if (!"STARTED".equals(proxy.getState())) {
      throw new IllegalStateException("S3Proxy did not start: " + proxy.getState());
    }
  }

  public static S3ProxyServer start() {
    try {
      return new S3ProxyServer();
    } catch (Exception e) {
      throw new IllegalStateException("starting S3Proxy failed", e);
    }
  }

  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + proxy.getPort());
  }

  public String secretKey() {
    return secretKey;
  }

  public BlobStore blobStore() {
    return blobs.getBlobStore();
  }

  /** The names of every object under {@code prefix}, multipart leftovers included. */
  public List<String> stored(String prefix) {
    return blobStore().list(BUCKET, ListContainerOptions.Builder.prefix(prefix).recursive()).stream().map(StorageMetadata::getName).toList();
  }

  /** The control plane's settings for the S3 backup store on this server. */
  public JsonObject controlPlaneSettings(String prefix) {
    return new JsonObject().put("SKYPANEL_BACKUP_STORE", "s3").put("SKYPANEL_BACKUP_S3_ENDPOINT", endpoint().toString())
        .put("SKYPANEL_BACKUP_S3_BUCKET", BUCKET).put("SKYPANEL_BACKUP_S3_PREFIX", prefix)
        .put("SKYPANEL_BACKUP_S3_ACCESS_KEY", ACCESS_KEY).put("SKYPANEL_BACKUP_S3_SECRET_KEY", secretKey);
  }

  @Override
  public void close() throws Exception {
    try {
      proxy.stop();
      blobs.close();
    } finally {
      try (var files = Files.walk(basedir)) {
        files.sorted(Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
      }
    }
  }
}
