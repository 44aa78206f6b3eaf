package io.skypanel.controlplane.support;

import io.skypanel.common.auth.Principal;
import io.skypanel.controlplane.paas.builds.BuildLog;
import io.skypanel.controlplane.paas.builds.BuildSource;
import io.skypanel.controlplane.paas.builds.SourceBuilds;
import io.skypanel.controlplane.tenancy.OrgContext;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.GZIPInputStream;

/**
 * A {@link SourceBuilds} for tests of the sources (git push, webhooks): records every submission with the files of
 * its tarball (read, then deleted, as the build service would), writes a few log lines to the listener a little
 * apart (so relaying them live is observable) and ends succeeded or failed, as told.
 */
public final class RecordingSourceBuilds implements SourceBuilds {

  /** One submitted build: what it was for and the tarball's files (path to content; symlinks as {@code -> target}). */
  public record Submitted(UUID appId, UUID environmentId, BuildSource source, Map<String, String> files, Map<String, Integer> modes) {
  }

  private final List<Submitted> submitted = new CopyOnWriteArrayList<>();
  private volatile String failure;
  private volatile Vertx vertx;
  private volatile Promise<Void> gate;

  /** The next builds fail with {@code reason} (null: they succeed). */
  public void failWith(String reason) {
    this.failure = reason;
  }

  /** The next builds do not end until the returned action is run (to observe a build in progress). */
  public Runnable hold() {
    Promise<Void> held = Promise.promise();
    gate = held;
    return held::tryComplete;
  }

  public List<Submitted> submitted() {
    return List.copyOf(submitted);
  }

  public void clear() {
    submitted.clear();
    failure = null;
    gate = null;
  }

  @Override
  public Future<Handle> submit(Principal principal, OrgContext org, UUID appId, UUID environmentId, BuildSource source, BuildLog listener) {
    vertx = vertx == null ? Vertx.currentContext().owner() : vertx;
    Map<String, String> files = new TreeMap<>();
    Map<String, Integer> modes = new TreeMap<>();
    try {
      read(source, files, modes);
      Files.deleteIfExists(source.tarball());
    } catch (IOException e) {
      return Future.failedFuture(e);
    }
    submitted.add(new Submitted(appId, environmentId, source, files, modes));
    String id = UUID.randomUUID().toString();
    String reason = failure;
    Future<Void> open = gate == null ? Future.succeededFuture() : gate.future();
    JsonObject build = new JsonObject().put("id", id).put("status", "pending").put("origin", source.origin().label());
    Promise<JsonObject> ended = Promise.promise();
    List<String> lines = List.of("Step 1/2 : FROM busybox", "Step 2/2 : COPY . /app", reason == null ? "Successfully built" : "ERROR: " + reason);
    emit(lines, 0, listener, () -> open.onComplete(released -> ended.complete(reason == null
        ? new JsonObject().put("id", id).put("status", "succeeded").put("release", submitted.size())
        : new JsonObject().put("id", id).put("status", "failed").put("status_reason", reason))));
    return Future.succeededFuture(new Handle() {
      @Override
      public JsonObject build() {
        return build;
      }

      @Override
      public Future<JsonObject> ended() {
        return ended.future();
      }
    });
  }

  private void emit(List<String> lines, int index, BuildLog listener, Runnable done) {
    if (index == lines.size()) {
      done.run();
      return;
    }
    vertx.setTimer(50, t -> {
      listener.line(lines.get(index));
      emit(lines, index + 1, listener, done);
    });
  }

  private static void read(BuildSource source, Map<String, String> files, Map<String, Integer> modes) throws IOException {
    try (InputStream in = new GZIPInputStream(Files.newInputStream(source.tarball()));
         TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
      for (TarArchiveEntry entry; (entry = tar.getNextEntry()) != null; ) {
        modes.put(entry.getName(), entry.getMode());
        files.put(entry.getName(), entry.isSymbolicLink() ? "-> " + entry.getLinkName() : new String(tar.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
      }
    }
  }
}
