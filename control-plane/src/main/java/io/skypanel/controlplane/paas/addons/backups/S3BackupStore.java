package io.skypanel.controlplane.paas.addons.backups;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Backups as objects {@code <prefix><key>.gz} in a bucket of any S3-compatible server (AWS, MinIO, Ceph RGW, S3Proxy):
 * path-style requests to the configured endpoint, signed with the configured key. A put streams as a multipart upload
 * of {@link #PART_SIZE} parts (one part in memory), visible only once complete and aborted on failure. Every method
 * but {@link #read} blocks; {@link #read} opens the object on {@code workers} and pumps it from there.
 */
public final class S3BackupStore implements BackupStore, AutoCloseable {

  /** 8 MiB: above S3's 5 MiB minimum part, and a 10 000-part upload still holds 80 GB. */
  static final int PART_SIZE = 8 * 1024 * 1024;

  /** Keys are platform ids, the same rule as the local store; anything else never reaches the server. */
  private static final Pattern KEY = Pattern.compile("[a-z0-9-]{1,64}");
  private static final String SUFFIX = ".gz";

  private final Vertx vertx;
  private final WorkerExecutor workers;
  private final S3Client s3;
  private final String bucket;
  private final String prefix;
  private final int partSize;

  public S3BackupStore(Vertx vertx, WorkerExecutor workers, S3StoreSettings settings) {
    this(vertx, workers, client(settings), settings.bucket(), settings.prefix(), PART_SIZE);
  }

  S3BackupStore(Vertx vertx, WorkerExecutor workers, S3Client s3, String bucket, String prefix, int partSize) {
    this.vertx = vertx;
    this.workers = workers;
    this.s3 = s3;
    this.bucket = bucket;
    this.prefix = prefix;
    this.partSize = partSize;
  }

  /** The SDK client for the settings: the JDK's HTTP client, path-style, checksums only where S3 requires them. */
  static S3Client client(S3StoreSettings settings) {
    S3ClientBuilder builder = S3Client.builder()
        .httpClientBuilder(UrlConnectionHttpClient.builder().connectionTimeout(Duration.ofSeconds(10)).socketTimeout(Duration.ofSeconds(60)))
        .region(Region.of(settings.region()))
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(settings.accessKey(), settings.secretKey())))
        // bucket in the path, not the host name: what MinIO, RGW and S3Proxy serve without wildcard DNS
        .forcePathStyle(true)
        // the SDK's default trailing checksums (aws-chunked) are not understood by every S3-compatible server
        .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
        .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
    if (settings.endpoint() != null) {
      builder.endpointOverride(settings.endpoint());
    }
    return builder.build();
  }

  @Override
  public void put(String key, Writer writer) throws IOException {
    S3MultipartUpload upload = new S3MultipartUpload(s3, bucket, objectKey(key), partSize);
    try {
      writer.write(upload);
      upload.complete();
    } catch (IOException | RuntimeException | Error e) {
      upload.abort();
      throw e;
    }
  }

  @Override
  public InputStream open(String key) throws IOException {
    return get(key);
  }

  @Override
  public Future<ReadStream<Buffer>> read(String key) {
    Context context = vertx.getOrCreateContext();
    return workers.<ReadStream<Buffer>>executeBlocking(() -> {
      ResponseInputStream<GetObjectResponse> in = get(key);
      return new InputStreamReadStream(context, workers, in, in::abort);
    }, false);
  }

  @Override
  public void delete(String key) throws IOException {
    String objectKey = objectKey(key);
    try {
      s3.deleteObject(b -> b.bucket(bucket).key(objectKey));
    } catch (SdkException e) {
      throw failure("deleting " + objectKey, e);
    }
  }

  @Override
  public List<String> keys() throws IOException {
    try {
      return s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix)).contents().stream().map(S3Object::key)
          .filter(name -> name.endsWith(SUFFIX) && name.indexOf('/', prefix.length()) < 0)
          .map(name -> name.substring(prefix.length(), name.length() - SUFFIX.length()))
          .filter(key -> KEY.matcher(key).matches()).toList();
    } catch (SdkException e) {
      throw failure("listing " + prefix, e);
    }
  }

  @Override
  public long size(String key) throws IOException {
    String objectKey = objectKey(key);
    try {
      return s3.headObject(b -> b.bucket(bucket).key(objectKey)).contentLength();
    } catch (NoSuchKeyException e) {
      throw new NoSuchFileException(objectKey);
    } catch (S3Exception e) {
      // HEAD has no body, so a missing object is a bare 404 rather than NoSuchKey
      if (e.statusCode() == 404) {
        throw new NoSuchFileException(objectKey);
      }
      throw failure("reading the size of " + objectKey, e);
    } catch (SdkException e) {
      throw failure("reading the size of " + objectKey, e);
    }
  }

  @Override
  public void close() {
    s3.close();
  }

  private ResponseInputStream<GetObjectResponse> get(String key) throws IOException {
    String objectKey = objectKey(key);
    try {
      return s3.getObject(b -> b.bucket(bucket).key(objectKey));
    } catch (NoSuchKeyException e) {
      throw new NoSuchFileException(objectKey);
    } catch (SdkException e) {
      throw failure("reading " + objectKey, e);
    }
  }

  private String objectKey(String key) throws IOException {
    if (key == null || !KEY.matcher(key).matches()) {
      throw new IOException("not a backup key");
    }
    return prefix + key + SUFFIX;
  }

  /**
   * The SDK's failure as an {@link IOException} naming the bucket and what was done. The SDK's messages carry the
   * server's error code and request id, never the secret key (it signs; it is never sent).
   */
  static IOException failure(String action, SdkException e) {
    return new IOException("S3 backup store: " + action + " failed: " + e.getMessage(), e);
  }
}
