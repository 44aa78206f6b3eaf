package io.skypanel.edge.observability;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.skypanel.edge.routing.RouteTable;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The edge's Prometheus meters, comparable to Traefik's: requests by service, code and method, their duration,
 * bytes in and out per service, open connections, retries, the route count and route reloads. {@code service}
 * is the container id (or {@code none} for unrouted hosts, {@code api:<service>} for the platform's API hostname),
 * so a busy tenant is visible and an unknown host's traffic never shows up as someone's.
 */
public final class EdgeMetrics {

  private final MeterRegistry registry;
  private final AtomicLong openConnections = new AtomicLong();
  private final Counter retries;
  private final Counter routeReloads;
  private final Counter brokenAnswers;
  private final Map<RequestKey, Counter> requests = new ConcurrentHashMap<>();
  private final Map<String, ServiceMeters> services = new ConcurrentHashMap<>();

  public EdgeMetrics(MeterRegistry registry, RouteTable routes) {
    this.registry = registry;
    Gauge.builder("skypanel.edge.open.connections", openConnections, AtomicLong::get)
        .description("Client connections open on the edge listeners").register(registry);
    Gauge.builder("skypanel.edge.routes", routes, RouteTable::size)
        .description("Hostnames the edge routes").register(registry);
    this.retries = Counter.builder("skypanel.edge.retries").description("Requests sent to another endpoint after a refused connection")
        .register(registry);
    this.routeReloads = Counter.builder("skypanel.edge.route.reloads").description("Route table reloads (full or per container)")
        .register(registry);
    this.brokenAnswers = Counter.builder("skypanel.edge.upstream.broken")
        .description("Upstream answers that broke off after their head had gone to the client (its connection was reset)")
        .register(registry);
  }

  public void connectionOpened() {
    openConnections.incrementAndGet();
  }

  public void connectionClosed() {
    openConnections.decrementAndGet();
  }

  public void retried() {
    retries.increment();
  }

  /** An upstream answer broke off mid-body; the client's connection was reset. */
  public void answerBroken() {
    brokenAnswers.increment();
  }

  public void routesReloaded() {
    routeReloads.increment();
  }

  /** One finished request. */
  public void request(String service, String method, int status, long nanos, long bytesIn, long bytesOut) {
    // meters are looked up once per label set and kept: building and registering four meters on every request
    // showed up in the benchmark's profile
    requests.computeIfAbsent(new RequestKey(service, method, status), key ->
        Counter.builder("skypanel.edge.requests").description("Requests answered by the edge")
            .tag("service", key.service()).tag("method", key.method()).tag("code", Integer.toString(key.status()))
            .register(registry)).increment();
    ServiceMeters meters = services.computeIfAbsent(service, this::serviceMeters);
    meters.duration().record(nanos, TimeUnit.NANOSECONDS);
    meters.received().increment(bytesIn);
    meters.sent().increment(bytesOut);
  }

  private record RequestKey(String service, String method, int status) {
  }

  private record ServiceMeters(Timer duration, Counter received, Counter sent) {
  }

  private ServiceMeters serviceMeters(String service) {
    return new ServiceMeters(
        Timer.builder("skypanel.edge.request.duration").description("Time to answer a request")
            .tag("service", service).publishPercentileHistogram().register(registry),
        Counter.builder("skypanel.edge.received").baseUnit("bytes").description("Request bytes received from clients")
            .tag("service", service).register(registry),
        Counter.builder("skypanel.edge.sent").baseUnit("bytes").description("Response bytes sent to clients (egress)")
            .tag("service", service).register(registry));
  }
}
