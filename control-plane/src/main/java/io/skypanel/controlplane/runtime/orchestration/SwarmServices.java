package io.skypanel.controlplane.runtime.orchestration;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.CreateServiceCmd;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.AuthConfig;
import com.github.dockerjava.api.model.Service;
import com.github.dockerjava.api.model.ServiceSpec;
import com.github.dockerjava.core.DockerClientConfig;
import com.github.dockerjava.transport.DockerHttpClient;
import io.skypanel.common.docker.DockerEngine;
import io.skypanel.common.docker.Labels;
import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * Swarm services: create (never a second of the same name), rolling update, removal and inspection. Specs are
 * built fresh from the {@link DesiredService}; an update takes only the version from the engine.
 */
final class SwarmServices {

  private static final Logger LOG = LoggerFactory.getLogger(SwarmServices.class);
  private static final ObjectMapper MAPPER = DockerClientConfig.getDefaultObjectMapper();
  private static final int UPDATE_ATTEMPTS = 4;

  private final DockerEngine engine;
  private final CommonLabels labels;
  private final Supplier<ServiceSpecFactory> specs;
  private final SwarmTasks tasks;
  private final Removal removal;

  SwarmServices(DockerEngine engine, CommonLabels labels, Supplier<ServiceSpecFactory> specs, SwarmTasks tasks, Removal removal) {
    this.engine = engine;
    this.labels = labels;
    this.specs = specs;
    this.tasks = tasks;
    this.removal = removal;
  }

  Future<String> create(DesiredService desired) {
    ServiceSpec spec;
    try {
      spec = specs.get().build(labels.applyTo(desired));
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    AuthConfig auth = ServiceSpecFactory.authConfig(desired.registryLogin());
    return engine.call(docker -> {
      String existing = findServiceId(docker, desired.serviceName());
      if (existing != null) {
        return existing;
      }
      CreateServiceCmd create = docker.createServiceCmd(spec);
      if (auth != null) {
        create.withAuthConfig(auth);
      }
      try {
        String id = create.exec().getId();
        LOG.info("created service {} ({})", desired.serviceName(), id);
        return id;
      } catch (DockerException e) {
        // a concurrent create of the same name won (Swarm names are unique): return that service
        existing = findServiceId(docker, desired.serviceName());
        if (existing != null) {
          return existing;
        }
        throw e;
      }
    });
  }

  private static String findServiceId(DockerClient docker, String name) {
    return docker.listServicesCmd().withNameFilter(List.of(name)).exec().stream()
        .filter(service -> service.getSpec() != null && name.equals(service.getSpec().getName()))
        .map(Service::getId)
        .findFirst()
        .orElse(null);
  }

  Future<Void> update(String serviceId, DesiredService desired) {
    ServiceSpec spec;
    try {
      spec = specs.get().build(labels.applyTo(desired));
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    AuthConfig auth = ServiceSpecFactory.authConfig(desired.registryLogin());
    return engine.call(docker -> {
      for (int attempt = 1; ; attempt++) {
        long version = docker.inspectServiceCmd(serviceId).exec().getVersion().getIndex();
        try {
          if (auth == null) {
            docker.updateServiceCmd(serviceId, spec).withVersion(version).exec();
          } else {
            updateWithAuth(docker, serviceId, version, spec, auth);
          }
          return null;
        } catch (DockerException e) {
          // another writer bumped the version between inspect and update: inspect again and retry
          boolean outOfSequence = e.getMessage() != null && e.getMessage().contains("out of sequence");
          if (!outOfSequence || attempt >= UPDATE_ATTEMPTS) {
            throw e;
          }
        }
      }
    });
  }

  /** {@code POST /services/{id}/update} with {@code X-Registry-Auth}, which {@code UpdateServiceCmd} cannot send. */
  private static void updateWithAuth(DockerClient docker, String serviceId, long version, ServiceSpec spec, AuthConfig auth)
      throws IOException {
    String header = Base64.getUrlEncoder().encodeToString(MAPPER.writeValueAsBytes(auth));
    DockerHttpClient.Request request = DockerHttpClient.Request.builder()
        .method(DockerHttpClient.Request.Method.POST)
        .path("/services/" + EngineApi.encode(serviceId) + "/update?version=" + version)
        .putHeader("Content-Type", "application/json")
        .putHeader("X-Registry-Auth", header)
        .bodyBytes(MAPPER.writeValueAsBytes(spec))
        .build();
    EngineApi.execute(docker, request);
  }

  Future<Void> remove(String serviceId) {
    return removal.removeIfPresent("service", serviceId, docker -> docker.removeServiceCmd(serviceId).exec());
  }

  Future<String> findByContainer(UUID containerId) {
    return engine.call(docker -> docker.listServicesCmd()
        .withLabelFilter(Map.of(Labels.CONTAINER, containerId.toString()))
        .exec().stream()
        .map(Service::getId)
        .findFirst()
        .orElse(null));
  }

  Future<Map<String, Map<String, String>>> labelled(String label) {
    return engine.call(docker -> {
      Map<String, Map<String, String>> found = new java.util.LinkedHashMap<>();
      // docker-java sends a label with an empty value as a filter on the label's presence alone
      for (Service service : docker.listServicesCmd().withLabelFilter(Map.of(label, "")).exec()) {
        Map<String, String> labels = service.getSpec() == null ? null : service.getSpec().getLabels();
        if (labels != null && labels.get(label) != null) {
          found.put(service.getId(), Map.copyOf(labels));
        }
      }
      return found;
    });
  }

  Future<Integer> remainingTaskContainers(UUID containerId) {
    // task containers carry the service's container labels; stopped ones still hold volumes until removed
    return engine.call(docker -> docker.listContainersCmd()
        .withShowAll(true)
        .withLabelFilter(Map.of(Labels.CONTAINER, containerId.toString()))
        .exec().size());
  }

  Future<ServiceState> inspect(String serviceId) {
    return engine.call(docker -> {
      Service service;
      try {
        service = docker.inspectServiceCmd(serviceId).exec();
      } catch (NotFoundException e) {
        return null;
      }
      ServiceSpec spec = service.getSpec();
      int desiredReplicas = spec.getMode() != null && spec.getMode().getReplicated() != null
          ? (int) spec.getMode().getReplicated().getReplicas() : 0;
      String image = spec.getTaskTemplate() != null && spec.getTaskTemplate().getContainerSpec() != null
          ? spec.getTaskTemplate().getContainerSpec().getImage() : null;
      List<ServiceState.Task> list = tasks.tasks(docker, service.getId());
      list.sort(Comparator.comparing(ServiceState.Task::updatedAt, Comparator.nullsLast(Comparator.reverseOrder())));
      int running = (int) list.stream()
          .filter(task -> "running".equals(task.state()) && "running".equals(task.desiredState()))
          .count();
      String updateState = null;
      String updateMessage = null;
      if (service.getUpdateStatus() != null) {
        updateState = service.getUpdateStatus().getState() == null ? null
            : service.getUpdateStatus().getState().name().toLowerCase(Locale.ROOT);
        updateMessage = service.getUpdateStatus().getMessage();
      }
      long version = service.getVersion() == null || service.getVersion().getIndex() == null ? 0 : service.getVersion().getIndex();
      return new ServiceState(service.getId(), spec.getName(), version, desiredReplicas, running, image, updateState,
          updateMessage, List.copyOf(list));
    });
  }
}
