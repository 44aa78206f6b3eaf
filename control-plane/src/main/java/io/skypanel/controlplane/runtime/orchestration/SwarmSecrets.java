package io.skypanel.controlplane.runtime.orchestration;

import com.github.dockerjava.transport.DockerHttpClient;
import io.skypanel.common.docker.DockerEngine;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/** Swarm secrets. Their values are never logged. */
final class SwarmSecrets {

  private final DockerEngine engine;
  private final CommonLabels labels;
  private final Removal removal;

  SwarmSecrets(DockerEngine engine, CommonLabels labels, Removal removal) {
    this.engine = engine;
    this.labels = labels;
    this.removal = removal;
  }

  /**
   * {@code POST /secrets/create} with the value base64-encoded byte for byte: docker-java's
   * {@code SecretSpec.withData(String)} would re-encode a string through the platform charset.
   */
  Future<String> create(String name, byte[] value, Map<String, String> own) {
    JsonObject spec = new JsonObject()
        .put("Name", name)
        .put("Labels", new JsonObject(new LinkedHashMap<>(labels.with(own))))
        .put("Data", Base64.getEncoder().encodeToString(value));
    return engine.call(docker -> {
      DockerHttpClient.Request request = DockerHttpClient.Request.builder()
          .method(DockerHttpClient.Request.Method.POST)
          .path("/secrets/create")
          .putHeader("Content-Type", "application/json")
          .bodyBytes(spec.toBuffer().getBytes())
          .build();
      return new JsonObject(new String(EngineApi.execute(docker, request), StandardCharsets.UTF_8)).getString("ID");
    });
  }

  Future<Void> remove(String secretId) {
    return removal.removeIfPresent("secret", secretId, docker -> docker.removeSecretCmd(secretId).exec());
  }
}
