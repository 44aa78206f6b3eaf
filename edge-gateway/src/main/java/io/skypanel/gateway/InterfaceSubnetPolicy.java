package io.skypanel.gateway;

import java.net.Inet4Address;
import java.net.InterfaceAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Allows a destination only inside the subnet of one of the container's other interfaces: not loopback and
 * not the interface the relay listens on. Those other interfaces are the organizations' overlay networks the
 * gateway container was connected to, so the relay reaches tasks there and nothing else (not the bridge it
 * listens on, not the host, not the Internet).
 *
 * <p>Networks are connected and disconnected while the gateway runs, so the interface list is read again when
 * the last reading is older than the refresh interval (1 s by default); a network connected a moment ago is
 * reachable within that interval, and a disconnected one stops being allowed within it.
 */
public final class InterfaceSubnetPolicy implements DestinationPolicy {

  private static final long DEFAULT_REFRESH_NANOS = 1_000_000_000L;

  private final Inet4Address listenAddress;
  private final Supplier<List<Subnet>> interfaces;
  private final LongSupplier nanoTime;
  private final long refreshNanos;
  private List<Subnet> allowed;
  private long readAt;

  /**
   * @param listenAddress the relay's own address: the interface carrying it is never a destination network
   * @param interfaces    the IPv4 subnets of every up, non-loopback interface (see {@link #systemInterfaces()})
   * @param nanoTime      the clock deciding when to read the interfaces again
   */
  public InterfaceSubnetPolicy(Inet4Address listenAddress, Supplier<List<Subnet>> interfaces, LongSupplier nanoTime,
                               long refreshNanos) {
    this.listenAddress = listenAddress;
    this.interfaces = interfaces;
    this.nanoTime = nanoTime;
    this.refreshNanos = refreshNanos;
  }

  /** The policy over this machine's (container's) interfaces, read at most once a second. */
  public static InterfaceSubnetPolicy ofSystem(Inet4Address listenAddress) {
    return new InterfaceSubnetPolicy(listenAddress, InterfaceSubnetPolicy::systemInterfaces, System::nanoTime,
        DEFAULT_REFRESH_NANOS);
  }

  // synchronized: event loops share one policy; the critical section is a list scan (and at most once a
  // second an interface enumeration, a few system calls)
  @Override
  public synchronized boolean allows(Inet4Address destination) {
    long now = nanoTime.getAsLong();
    if (allowed == null || now - readAt >= refreshNanos) {
      allowed = destinationSubnets(interfaces.get());
      readAt = now;
    }
    for (Subnet subnet : allowed) {
      if (subnet.contains(destination) && !subnet.address().equals(destination)) {
        return true;
      }
    }
    return false;
  }

  /** The subnets of the interfaces other than the listening one; the gateway's own addresses never qualify. */
  List<Subnet> destinationSubnets(List<Subnet> all) {
    List<String> listening = new ArrayList<>();
    for (Subnet subnet : all) {
      if (subnet.address().equals(listenAddress)) {
        listening.add(subnet.interfaceName());
      }
    }
    List<Subnet> result = new ArrayList<>();
    for (Subnet subnet : all) {
      if (!listening.contains(subnet.interfaceName()) && !subnet.address().isLoopbackAddress()) {
        result.add(subnet);
      }
    }
    return result;
  }

  /** Every IPv4 address of every interface that is up and not loopback, with its prefix length. */
  public static List<Subnet> systemInterfaces() {
    try {
      List<Subnet> subnets = new ArrayList<>();
      for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        if (!nic.isUp() || nic.isLoopback()) {
          continue;
        }
        for (InterfaceAddress address : nic.getInterfaceAddresses()) {
          if (address.getAddress() instanceof Inet4Address ipv4) {
            subnets.add(new Subnet(nic.getName(), ipv4, address.getNetworkPrefixLength()));
          }
        }
      }
      return subnets;
    } catch (SocketException e) {
      // no interfaces readable: allow nothing rather than fail every connection differently
      return List.of();
    }
  }
}
