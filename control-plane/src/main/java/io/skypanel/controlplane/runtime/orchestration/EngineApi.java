package io.skypanel.controlplane.runtime.orchestration;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.BadRequestException;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.InternalServerErrorException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.transport.DockerHttpClient;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * The engine's HTTP API through docker-java's own transport, for what docker-java's model lacks (full task JSON,
 * {@code X-Registry-Auth} on updates, secrets of arbitrary bytes). Engine errors become docker-java's exceptions,
 * so callers handle both paths alike. Call only inside an engine call (a worker thread).
 */
final class EngineApi {

  private EngineApi() {
  }

  /** Sends a request through docker-java's transport; maps engine errors onto docker-java's exceptions. */
  static byte[] execute(DockerClient docker, DockerHttpClient.Request request) throws IOException {
    try (DockerHttpClient.Response response = http(docker).execute(request);
         InputStream body = response.getBody()) {
      byte[] bytes = body == null ? new byte[0] : body.readAllBytes();
      int status = response.getStatusCode();
      if (status >= 200 && status < 300) {
        return bytes;
      }
      String message = engineMessage(bytes);
      switch (status) {
        case 400 -> throw new BadRequestException(message);
        case 404 -> throw new NotFoundException(message);
        case 409 -> throw new ConflictException(message);
        case 500 -> throw new InternalServerErrorException(message);
        default -> throw new DockerException(message, status);
      }
    }
  }

  static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  private static DockerHttpClient http(DockerClient client) {
    if (client instanceof DockerClientImpl impl) {
      return impl.getHttpClient();
    }
    throw new IllegalStateException("the Docker client does not expose its HTTP transport");
  }

  private static String engineMessage(byte[] body) {
    String text = new String(body, StandardCharsets.UTF_8);
    try {
      String message = new JsonObject(text).getString("message");
      return message == null ? text : message;
    } catch (RuntimeException notJson) {
      return text;
    }
  }
}
