package io.skypanel.gateway;

import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.socksx.v5.Socks5CommandStatus;

import java.net.ConnectException;
import java.net.NoRouteToHostException;

/**
 * Maps a failed outbound connect to the SOCKS5 reply the client gets. Epoll and NIO report the same errno in
 * different exception types (epoll: a {@link ConnectException} whose message carries the C error text), so the
 * message is read as well as the type.
 */
final class ConnectFailures {

  private ConnectFailures() {
  }

  static Socks5CommandStatus statusOf(Throwable failure) {
    if (failure instanceof ConnectTimeoutException) {
      // no answer at all: on an overlay network this is an address no task holds (ARP goes unanswered)
      return Socks5CommandStatus.HOST_UNREACHABLE;
    }
    String message = failure.getMessage() == null ? "" : failure.getMessage();
    if (failure instanceof NoRouteToHostException || message.contains("No route to host")
        || message.contains("Host is unreachable") || message.contains("timed out")) {
      return Socks5CommandStatus.HOST_UNREACHABLE;
    }
    if (message.contains("Network is unreachable")) {
      return Socks5CommandStatus.NETWORK_UNREACHABLE;
    }
    if (failure instanceof ConnectException) {
      // "Connection refused": the task is there but nothing listens on that port
      return Socks5CommandStatus.CONNECTION_REFUSED;
    }
    return Socks5CommandStatus.FAILURE;
  }
}
