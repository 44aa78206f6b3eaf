package io.skypanel.controlplane.paas.git;

import io.skypanel.common.errors.ApiException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.file.FileSystem;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.http.HttpServerRequest;

import java.nio.file.Path;

/**
 * Spools a paused request body (a git pack) to a temporary file, with backpressure (the request pauses while the file
 * catches up) and a size limit (413 as soon as it is passed, not after the whole body arrived). JGit then reads the
 * file on a worker, so no event loop ever waits for it.
 */
public final class RequestSpool {

  private final FileSystem files;
  private final Path dir;
  private final long maxBytes;

  public RequestSpool(FileSystem files, Path dir, long maxBytes) {
    this.files = files;
    this.dir = dir;
    this.maxBytes = maxBytes;
  }

  /** The body's file once the request has ended; the caller deletes it. */
  public Future<Path> receive(HttpServerRequest request) {
    return files.mkdirs(dir.toString())
        .compose(v -> files.createTempFile(dir.toString(), "pack-", ".spool", (String) null))
        .compose(name -> files.open(name, new OpenOptions().setWrite(true)).compose(file -> copy(request, file, Path.of(name))));
  }

  /** Stops reading a request that was refused, so its connection is not left paused. */
  public void discard(HttpServerRequest request) {
    if (!request.isEnded()) {
      request.handler(ignored -> { });
      request.resume();
    }
  }

  private Future<Path> copy(HttpServerRequest request, AsyncFile file, Path path) {
    Promise<Path> spooled = Promise.promise();
    long[] total = {0};
    request.handler(chunk -> {
      if (spooled.future().isComplete()) {
        return;
      }
      total[0] += chunk.length();
      if (total[0] > maxBytes) {
        abandon(file, path, spooled, new ApiException(413, "push_too_large", "the pack is larger than " + maxBytes + " bytes"));
        return;
      }
      file.write(chunk);
      if (file.writeQueueFull()) {
        request.pause();
        file.drainHandler(drained -> request.resume());
      }
    });
    request.exceptionHandler(err -> abandon(file, path, spooled, err));
    request.endHandler(end -> {
      if (!spooled.future().isComplete()) {
        file.close().onComplete(closed -> {
          if (closed.succeeded()) {
            spooled.tryComplete(path);
          } else {
            abandon(file, path, spooled, closed.cause());
          }
        });
      }
    });
    if (io.vertx.core.http.HttpHeaders.CONTINUE.toString().equalsIgnoreCase(request.getHeader("Expect"))) {
      request.response().writeContinue();
    }
    request.resume();
    return spooled.future();
  }

  private void abandon(AsyncFile file, Path path, Promise<Path> spooled, Throwable cause) {
    if (spooled.tryFail(cause)) {
      file.close().onComplete(closed -> files.delete(path.toString()));
    }
  }
}
