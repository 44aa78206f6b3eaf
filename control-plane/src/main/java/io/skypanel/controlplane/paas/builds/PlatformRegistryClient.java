package io.skypanel.controlplane.paas.builds;

import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.PushResponseItem;
import io.skypanel.common.docker.DockerEngine;
import io.skypanel.controlplane.caas.registries.PlatformRegistry;
import io.skypanel.controlplane.runtime.orchestration.ServiceSpecFactory;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;

import java.util.concurrent.atomic.AtomicReference;

/**
 * What the build service does with the platform's registry: pushes a built image (docker-java {@code pushImageCmd}
 * with the platform login; the stream runs on docker-java's thread, so no worker waits on it), deletes a manifest by
 * digest (registry HTTP API v2, basic auth) and untags local build images. The password never reaches a log line.
 */
public final class PlatformRegistryClient {

  private static final String MANIFEST_TYPES = "application/vnd.docker.distribution.manifest.v2+json, "
      + "application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.oci.image.manifest.v1+json, "
      + "application/vnd.oci.image.index.v1+json";

  private final Vertx vertx;
  private final DockerEngine docker;
  private final PlatformRegistry registry;
  private final WebClient http;

  public PlatformRegistryClient(Vertx vertx, DockerEngine docker, PlatformRegistry registry) {
    this.vertx = vertx;
    this.docker = docker;
    this.registry = registry;
    this.http = WebClient.create(vertx, new WebClientOptions().setConnectTimeout(5000).setIdleTimeout(60));
  }

  public PlatformRegistry registry() {
    return registry;
  }

  /** Pushes {@code repository:tag}; the manifest digest ({@code sha256:...}) the registry stored. */
  public Future<String> push(String repository, String tag, BuildLog log) {
    Context context = vertx.getOrCreateContext();
    Promise<String> pushed = Promise.promise();
    AtomicReference<String> digest = new AtomicReference<>();
    AtomicReference<String> error = new AtomicReference<>();
    ResultCallback.Adapter<PushResponseItem> callback = new ResultCallback.Adapter<>() {
      @Override
      public void onNext(PushResponseItem item) {
        if (item.getAux() != null && item.getAux().getDigest() != null) {
          digest.set(item.getAux().getDigest());
        }
        if (item.isErrorIndicated()) {
          error.set(item.getErrorDetail() != null && item.getErrorDetail().getMessage() != null
              ? item.getErrorDetail().getMessage() : item.getError());
        }
      }

      @Override
      public void onError(Throwable throwable) {
        context.runOnContext(v -> pushed.tryFail(new BuildFailedException("pushing the image to the platform registry failed: "
            + throwable.getMessage(), throwable)));
      }

      @Override
      public void onComplete() {
        context.runOnContext(v -> {
          if (error.get() != null || digest.get() == null) {
            pushed.tryFail(new BuildFailedException("pushing the image to the platform registry failed: "
                + (error.get() != null ? error.get() : "the registry returned no digest")));
          } else {
            pushed.tryComplete(digest.get());
          }
        });
      }
    };
    log.line("-----> Pushing to the platform registry (" + registry.host() + ")");
    return docker.callSlow(client -> client.pushImageCmd(repository).withTag(tag)
            .withAuthConfig(ServiceSpecFactory.authConfig(registry.login())).exec(callback))
        .compose(started -> pushed.future())
        .onSuccess(found -> log.line("-----> Pushed " + repository + "@" + found));
  }

  /** Deletes a manifest by digest; one already gone counts as deleted. */
  public Future<Void> deleteManifest(String repository, String digest) {
    String path = "/v2/" + repository.substring(registry.host().length() + 1) + "/manifests/" + digest;
    int colon = registry.host().lastIndexOf(':');
    String host = colon < 0 ? registry.host() : registry.host().substring(0, colon);
    int port = colon < 0 ? 80 : Integer.parseInt(registry.host().substring(colon + 1));
    return http.request(HttpMethod.DELETE, port, host, path).basicAuthentication(registry.username(), registry.password())
        .putHeader("Accept", MANIFEST_TYPES).send()
        .compose(response -> response.statusCode() == 202 || response.statusCode() == 200 || response.statusCode() == 404
            ? Future.<Void>succeededFuture()
            : Future.failedFuture(new IllegalStateException("the registry answered " + response.statusCode() + " to deleting "
                + repository + "@" + digest)));
  }

  /** Removes a local tag (the image itself stays while a container or another reference uses it). */
  public Future<Void> untag(String imageTag) {
    return docker.call(client -> {
      client.removeImageCmd(imageTag).withForce(false).withNoPrune(false).exec();
      return null;
    });
  }
}
