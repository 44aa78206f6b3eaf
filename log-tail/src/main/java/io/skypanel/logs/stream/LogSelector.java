package io.skypanel.logs.stream;

import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * What one upstream follows: a resource of one organization, narrowed by stream and an optional plain-text
 * filter. Built by the service from a row it read for the caller's organization, never from request text, so
 * the {@link #labels()} always pin the organization. Two viewers with equal {@link #key()}s share one upstream.
 *
 * @param labels         exact-match Loki stream labels, organization first (e.g. {@code skypanel_org},
 *                       {@code skypanel_container}); the Docker backend ignores them
 * @param swarmServiceId the one Swarm service whose logs Docker serves (a container), or null
 * @param serviceLabels  for the Docker backend, the Swarm labels every service of the resource carries (an
 *                       environment: {@code skypanel.org}, {@code skypanel.environment}, maybe {@code skypanel.process});
 *                       empty when the resource is one service
 * @param filter         plain text a line must contain, or null
 */
public record LogSelector(UUID organizationId, Map<String, String> labels, String swarmServiceId, Map<String, String> serviceLabels,
                          StreamChoice stream, String filter) {

  public LogSelector {
    labels = Map.copyOf(labels);
    serviceLabels = Map.copyOf(serviceLabels);
    if (filter != null && filter.isEmpty()) {
      filter = null;
    }
  }

  /** True when the resource is a set of services found by {@link #serviceLabels()} (an environment). */
  public boolean manyServices() {
    return !serviceLabels.isEmpty();
  }

  /** The same stream and filter narrowed to one of the resource's services. */
  public LogSelector forService(String serviceId) {
    return new LogSelector(organizationId, labels, serviceId, Map.of(), stream, filter);
  }

  /** Identity of the shared upstream: labels, service(s), stream and filter (length-prefixed, so no two keys collide). */
  public String key() {
    StringBuilder key = new StringBuilder();
    new TreeMap<>(labels).forEach((k, v) -> key.append(k).append('=').append(v.length()).append(':').append(v).append(';'));
    key.append("svc=").append(swarmServiceId).append(";services=");
    new TreeMap<>(serviceLabels).forEach((k, v) -> key.append(k).append('=').append(v.length()).append(':').append(v).append(';'));
    key.append(";stream=").append(stream.label()).append(";filter=");
    if (filter != null) {
      key.append(filter.length()).append(':').append(filter);
    }
    return key.toString();
  }

  /** True when {@code entry} passes the stream choice and the filter (the Docker backend filters here). */
  public boolean accepts(LogEntry entry) {
    boolean streamOk = "stderr".equals(entry.stream()) ? stream.stderr() : stream.stdout();
    return streamOk && (filter == null || entry.line().contains(filter));
  }
}
