package io.skypanel.gateway;

import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Logger;

/**
 * Entry point of the edge gateway container: a SOCKS5 relay on the container's bridge address through which
 * the edge router reaches tasks on the organizations' internal overlay networks the container is connected to
 * (see {@link InterfaceSubnetPolicy}). Runs until the container stops (SIGTERM closes it cleanly).
 */
public final class GatewayMain {

  private static final Logger LOG = Logger.getLogger(GatewayMain.class.getName());

  private GatewayMain() {
  }

  public static void main(String[] args) throws Exception {
    GatewayOptions options;
    try {
      options = GatewayOptions.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("edge-gateway: " + e.getMessage());
      System.err.println("usage: java -jar edge-gateway.jar (--listen-interface <name> [--port 1080] | --listen <ipv4>:<port>)"
          + " [--connect-timeout-ms 2000] [--threads <n>]");
      System.exit(2);
      return;
    }
    Inet4Address bind = options.bindAddress();
    InterfaceSubnetPolicy policy = InterfaceSubnetPolicy.ofSystem(bind);
    SocksRelay relay = SocksRelay.start(new InetSocketAddress(bind, options.port()), policy, options.connectTimeoutMillis(),
        options.threads());
    if (!"epoll".equals(relay.transportName())) {
      LOG.warning(() -> "edge gateway: epoll unavailable, using NIO: " + io.netty.channel.epoll.Epoll.unavailabilityCause());
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      relay.close();
      stopped.countDown();
    }, "edge-gateway-shutdown"));
    LOG.info(() -> "edge gateway: SOCKS5 relay on " + relay.address() + " (" + relay.transportName() + ", "
        + options.threads() + " threads, connect timeout " + options.connectTimeoutMillis() + " ms); destinations: "
        + "the subnets of the other interfaces, now " + policy.destinationSubnets(InterfaceSubnetPolicy.systemInterfaces()));
    stopped.await();
  }
}
