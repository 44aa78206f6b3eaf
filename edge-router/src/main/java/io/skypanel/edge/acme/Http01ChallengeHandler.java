package io.skypanel.edge.acme;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.regex.Pattern;

/**
 * Answers {@code GET /.well-known/acme-challenge/<token>} from the challenge responses in Redis, before any
 * routing (a domain being validated may have no running container yet, and the response must not depend on
 * which replica the validator reached). Every other request goes to the wrapped handler untouched.
 */
public final class Http01ChallengeHandler implements Handler<HttpServerRequest> {

  private static final Logger LOG = LoggerFactory.getLogger(Http01ChallengeHandler.class);
  static final String PREFIX = "/.well-known/acme-challenge/";
  // ACME tokens are base64url; anything else cannot be one of ours
  private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9_-]{1,128}");

  private final ChallengeStore challenges;
  private final Handler<HttpServerRequest> next;

  public Http01ChallengeHandler(ChallengeStore challenges, Handler<HttpServerRequest> next) {
    this.challenges = challenges;
    this.next = next;
  }

  @Override
  public void handle(HttpServerRequest request) {
    String path = request.path();
    if (path == null || !path.startsWith(PREFIX) || (request.method() != HttpMethod.GET && request.method() != HttpMethod.HEAD)) {
      next.handle(request);
      return;
    }
    String token = path.substring(PREFIX.length());
    if (!TOKEN.matcher(token).matches()) {
      notFound(request);
      return;
    }
    challenges.http01(token).onComplete(result -> {
      if (result.failed()) {
        LOG.warn("cannot read the ACME challenge response: {}", result.cause().getMessage());
        request.response().setStatusCode(503).putHeader("Content-Type", "text/plain").end("challenge store unavailable\n");
      } else if (result.result() == null) {
        notFound(request);
      } else {
        request.response().putHeader("Content-Type", "text/plain").putHeader("Cache-Control", "no-store").end(result.result());
      }
    });
  }

  private static void notFound(HttpServerRequest request) {
    request.response().setStatusCode(404).putHeader("Content-Type", "text/plain").end("no such challenge\n");
  }
}
