package io.skypanel.edge.proxy;

import io.skypanel.edge.routing.Route;
import io.skypanel.edge.routing.RouteTable;
import io.vertx.core.http.HttpServerRequest;

/** The route a request goes to, or null; what {@link ObservedHandler} labels and meters a request by. */
@FunctionalInterface
public interface RouteLookup {

  Route find(HttpServerRequest request);

  /** The tenants' routes: the request's Host and path in the table. */
  static RouteLookup of(RouteTable table) {
    return request -> table.lookup(request.authority() == null ? null : request.authority().host(), request.path());
  }
}
