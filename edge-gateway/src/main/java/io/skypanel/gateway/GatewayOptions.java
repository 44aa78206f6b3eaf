package io.skypanel.gateway;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.Collections;

/**
 * The command line of the gateway:
 *
 * <pre>
 *   --listen-interface eth0 --port 1080    listen on the IPv4 address eth0 has at start
 *   --listen 172.20.0.2:1080               listen on this IPv4 address
 *   --connect-timeout-ms 2000              give up (reply 0x04) when a destination does not answer in time
 *   --threads 2                            event loops (default: available processors)
 * </pre>
 *
 * One address only, never the wildcard: interfaces the container gains later (the organizations' overlay
 * networks) must not expose the relay to the tasks on them.
 */
record GatewayOptions(String listenInterface, String listenAddress, int port, int connectTimeoutMillis, int threads) {

  static final int DEFAULT_PORT = 1080;
  static final int DEFAULT_CONNECT_TIMEOUT_MS = 2000;

  static GatewayOptions parse(String... args) {
    String listenInterface = null;
    String listenAddress = null;
    int port = DEFAULT_PORT;
    int timeout = DEFAULT_CONNECT_TIMEOUT_MS;
    int threads = Runtime.getRuntime().availableProcessors();
    for (int i = 0; i < args.length; i++) {
      String name = args[i];
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException(name + " needs a value");
      }
      String value = args[++i];
      switch (name) {
        case "--listen-interface" -> listenInterface = value;
        case "--listen" -> {
          int colon = value.lastIndexOf(':');
          if (colon < 0) {
            throw new IllegalArgumentException("--listen takes <ipv4>:<port>, not " + value);
          }
          listenAddress = value.substring(0, colon);
          port = number(name, value.substring(colon + 1));
        }
        case "--port" -> port = number(name, value);
        case "--connect-timeout-ms" -> timeout = number(name, value);
        case "--threads" -> threads = number(name, value);
        default -> throw new IllegalArgumentException("unknown option " + name);
      }
    }
    if ((listenInterface == null) == (listenAddress == null)) {
      throw new IllegalArgumentException("give exactly one of --listen-interface <name> and --listen <ipv4>:<port>");
    }
    if (port < 0 || port > 65535 || timeout <= 0 || threads <= 0) {
      throw new IllegalArgumentException("port must be 0-65535, timeout and threads positive");
    }
    return new GatewayOptions(listenInterface, listenAddress, port, timeout, threads);
  }

  /** The one IPv4 address to bind: the interface's (its first IPv4 address) or the literal given. */
  Inet4Address bindAddress() throws SocketException, UnknownHostException {
    if (listenAddress != null) {
      InetAddress literal = InetAddress.getByName(listenAddress);
      if (!(literal instanceof Inet4Address ipv4) || !listenAddress.equals(ipv4.getHostAddress()) || ipv4.isAnyLocalAddress()) {
        throw new IllegalArgumentException("--listen needs a specific IPv4 address, not " + listenAddress);
      }
      return ipv4;
    }
    NetworkInterface nic = NetworkInterface.getByName(listenInterface);
    if (nic == null) {
      throw new IllegalArgumentException("no interface " + listenInterface);
    }
    for (InetAddress address : Collections.list(nic.getInetAddresses())) {
      if (address instanceof Inet4Address ipv4) {
        return ipv4;
      }
    }
    throw new IllegalArgumentException("interface " + listenInterface + " has no IPv4 address");
  }

  private static int number(String name, String value) {
    try {
      return Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " takes a number, not " + value);
    }
  }
}
