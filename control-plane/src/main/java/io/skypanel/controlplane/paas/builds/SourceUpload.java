package io.skypanel.controlplane.paas.builds;

import io.skypanel.common.auth.OrgRole;
import io.skypanel.common.errors.ApiException;
import io.skypanel.controlplane.api.Api;
import io.skypanel.controlplane.api.Idempotency;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.FileSystem;
import io.vertx.ext.web.FileUpload;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * {@code POST /api/paas/apps/{appId}/builds}: a source tarball as the raw body ({@code application/gzip}) or as the
 * {@code source} file part of {@code multipart/form-data}, with optional {@code environment_id}, {@code ref}, and the
 * Dockerfile's {@code build_args} (a JSON object), {@code build_arg} ({@code NAME=VALUE}, repeatable) and
 * {@code target} stage ({@link BuildArgs}; query or form fields). The caller is authenticated and checked (developer) while the body still waits, then the body is
 * read with its own limit ({@code SKYPANEL_BUILD_UPLOAD_LIMIT_BYTES}; multipart parts go straight to disk), written
 * to the build directory and submitted: 201 with the queued build. Whether the tarball is safe is the build's
 * business (an unsafe one fails the build saying why); here only "is it gzip at all" is checked.
 */
public final class SourceUpload {

  private static final Set<String> RAW_TYPES = Set.of("application/gzip", "application/x-gzip", "application/octet-stream",
      "application/x-tar+gzip", "application/x-compressed-tar");
  private static final String SOURCE_PART = "source";

  private final FileSystem files;
  private final BuildService builds;
  private final long limitBytes;
  private final Path uploadsDir;

  public SourceUpload(FileSystem files, BuildService builds, long limitBytes, Path uploadsDir) {
    this.files = files;
    this.builds = builds;
    this.limitBytes = limitBytes;
    this.uploadsDir = uploadsDir;
  }

  void mount(Route route, Api api, Idempotency idempotency) {
    BodyHandler body = BodyHandler.create(uploadsDir.toString()).setBodyLimit(limitBytes).setDeleteUploadedFilesOnEnd(true)
        .setMergeFormAttributes(false);
    api.tenant(route, OrgRole.DEVELOPER, Api.Access.WRITE)
        // wrapped: Vert.x only takes a body handler before user handlers, and this one must come after the checks
        .handler(ctx -> body.handle(ctx))
        .handler(idempotency.wrap(this::accept));
  }

  private void accept(RoutingContext ctx) {
    UUID appId;
    UUID environmentId;
    String ref;
    BuildArgs options;
    try {
      appId = uuid(ctx.pathParam("appId"), "appId");
      environmentId = uuid(param(ctx, "environment_id"), "environment_id");
      ref = param(ctx, "ref");
      if (ref != null && (ref.length() > 255 || !ref.chars().allMatch(c -> c > 0x20 && c < 0x7f))) {
        throw ApiException.validation("ref must be 1-255 printable characters without spaces", null);
      }
      options = BuildArgs.parse(param(ctx, "build_args"), params(ctx, "build_arg"), param(ctx, "target"));
    } catch (ApiException e) {
      ctx.fail(e);
      return;
    }
    Path target = builds.incoming();
    String targetPath = target.toString();
    Future<Void> written = receive(ctx, target);
    Api.respond(ctx, 201, written.compose(v -> builds.submit(Api.principal(ctx), Api.tenant(ctx), appId, environmentId,
            new BuildSource(target, BuildSource.Origin.UPLOAD, ref, null, options), BuildLog.NONE))
        .onFailure(err -> files.delete(targetPath).onFailure(ignored -> { /* never written, or already gone */ })), SourceBuilds.Handle::build);
  }

  private Future<Void> receive(RoutingContext ctx, Path target) {
    String type = ctx.request().getHeader("Content-Type");
    String mediaType = type == null ? "" : type.split(";")[0].strip().toLowerCase(java.util.Locale.ROOT);
    if (mediaType.equals("multipart/form-data")) {
      FileUpload source = ctx.fileUploads().stream().filter(upload -> SOURCE_PART.equals(upload.name())).findFirst().orElse(null);
      if (source == null || source.size() == 0) {
        return Future.failedFuture(ApiException.validation("the multipart body needs a non-empty '" + SOURCE_PART + "' file part", null));
      }
      return files.move(source.uploadedFileName(), target.toString());
    }
    if (!RAW_TYPES.contains(mediaType)) {
      return Future.failedFuture(ApiException.validation(
          "send the source as application/gzip or as the '" + SOURCE_PART + "' part of multipart/form-data", null));
    }
    Buffer body = ctx.body().buffer();
    if (body == null || body.length() < 2 || body.getUnsignedByte(0) != 0x1f || body.getUnsignedByte(1) != 0x8b) {
      return Future.failedFuture(ApiException.validation("the body is not a gzipped tarball", null));
    }
    return files.writeFile(target.toString(), body);
  }

  private static String param(RoutingContext ctx, String name) {
    String value = ctx.request().getParam(name);
    if (value == null) {
      value = ctx.request().getFormAttribute(name);
    }
    return value == null || value.isBlank() ? null : value.strip();
  }

  /** Every value of a repeatable parameter: the query's, then the form's. */
  private static List<String> params(RoutingContext ctx, String name) {
    List<String> values = new ArrayList<>(ctx.queryParam(name));
    values.addAll(ctx.request().formAttributes().getAll(name));
    return values;
  }

  private static UUID uuid(String text, String name) {
    if (text == null) {
      return null;
    }
    try {
      return UUID.fromString(text);
    } catch (IllegalArgumentException e) {
      throw ApiException.validation(name + " must be a UUID", null);
    }
  }
}
