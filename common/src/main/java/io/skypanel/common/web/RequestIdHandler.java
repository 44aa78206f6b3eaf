package io.skypanel.common.web;

import io.skypanel.common.auth.Digests;
import io.vertx.ext.web.handler.PlatformHandler;
import io.vertx.ext.web.RoutingContext;

import java.util.regex.Pattern;

/**
 * Gives every request an id ({@code X-Request-Id}), keeping a well-formed one the client or the edge sent,
 * and echoes it in the response so a customer's report can be matched to the server log.
 */
public final class RequestIdHandler implements PlatformHandler {

  public static final String HEADER = Headers.REQUEST_ID;
  private static final Pattern ACCEPTABLE = Pattern.compile("[A-Za-z0-9._-]{8,64}");

  @Override
  public void handle(RoutingContext ctx) {
    String id = ctx.request().getHeader(HEADER);
    if (id == null || !ACCEPTABLE.matcher(id).matches()) {
      id = Digests.randomToken(12);
      ctx.request().headers().set(HEADER, id);
    }
    ctx.response().putHeader(HEADER, id);
    ctx.next();
  }
}
