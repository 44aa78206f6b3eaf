package io.skypanel.controlplane.paas.addons.backups;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * An {@link OutputStream} that uploads to one S3 object without holding more than one part in memory: each full part
 * buffer becomes a part of a multipart upload; content smaller than one part is sent as a single PUT. Nothing is
 * visible under the key until {@link #complete}; {@link #abort} discards the uploaded parts. {@link #close} only
 * stops further writes (the producer closes the stream it was given; the store decides whether to complete).
 * Blocking, single-threaded.
 */
final class S3MultipartUpload extends OutputStream {

  private static final Logger LOG = LoggerFactory.getLogger(S3MultipartUpload.class);

  private final S3Client s3;
  private final String bucket;
  private final String objectKey;
  private final byte[] buffer;
  private final List<CompletedPart> parts = new ArrayList<>();
  private int filled;
  private String uploadId;
  private boolean closed;

  S3MultipartUpload(S3Client s3, String bucket, String objectKey, int partSize) {
    this.s3 = s3;
    this.bucket = bucket;
    this.objectKey = objectKey;
    this.buffer = new byte[partSize];
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] bytes, int offset, int length) throws IOException {
    if (closed) {
      throw new IOException("the upload stream is closed");
    }
    while (length > 0) {
      int n = Math.min(length, buffer.length - filled);
      System.arraycopy(bytes, offset, buffer, filled, n);
      filled += n;
      offset += n;
      length -= n;
      if (filled == buffer.length) {
        uploadPart();
      }
    }
  }

  @Override
  public void close() {
    closed = true;
  }

  /** Makes the object visible: the single PUT, or the last part and the completion of the multipart upload. */
  void complete() throws IOException {
    closed = true;
    try {
      if (uploadId == null) {
        s3.putObject(b -> b.bucket(bucket).key(objectKey).contentType("application/gzip"), body());
        return;
      }
      if (filled > 0) {
        uploadPart();
      }
      s3.completeMultipartUpload(b -> b.bucket(bucket).key(objectKey).uploadId(uploadId)
          .multipartUpload(m -> m.parts(parts)));
    } catch (SdkException e) {
      throw S3BackupStore.failure("storing " + objectKey, e);
    }
  }

  /** Discards the parts uploaded so far, so no pending upload is left behind; a failure here is logged, not thrown. */
  void abort() {
    closed = true;
    if (uploadId == null) {
      return;
    }
    try {
      s3.abortMultipartUpload(b -> b.bucket(bucket).key(objectKey).uploadId(uploadId));
    } catch (SdkException e) {
      // the original failure is what the caller reports; a bucket lifecycle rule for incomplete uploads cleans this
      LOG.warn("aborting the multipart upload of {} failed: {}", objectKey, e.getMessage());
    }
  }

  private void uploadPart() throws IOException {
    try {
      if (uploadId == null) {
        uploadId = s3.createMultipartUpload(b -> b.bucket(bucket).key(objectKey).contentType("application/gzip")).uploadId();
      }
      int number = parts.size() + 1;
      String etag = s3.uploadPart(b -> b.bucket(bucket).key(objectKey).uploadId(uploadId).partNumber(number), body()).eTag();
      parts.add(CompletedPart.builder().partNumber(number).eTag(etag).build());
      filled = 0;
    } catch (SdkException e) {
      throw S3BackupStore.failure("storing " + objectKey, e);
    }
  }

  /** The buffered bytes without a copy; a retry reads them again from the start. */
  private RequestBody body() {
    int length = filled;
    ContentStreamProvider content = () -> new ByteArrayInputStream(buffer, 0, length);
    return RequestBody.fromContentProvider(content, length, "application/octet-stream");
  }
}
