package io.skypanel.gateway;

import java.net.Inet4Address;

/**
 * Decides whether the relay may open a connection to a destination. Called on the event loop for every
 * CONNECT, so implementations must answer without blocking for long.
 */
@FunctionalInterface
public interface DestinationPolicy {

  boolean allows(Inet4Address destination);
}
