package io.skypanel.controlplane.runtime.orchestration;

import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Event;
import com.github.dockerjava.api.model.EventType;
import io.skypanel.common.docker.DockerEngine;
import io.skypanel.common.docker.Labels;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/** The engine's container and service events, boiled down to the platform container each one concerns. */
final class SwarmEvents {

  private static final Logger LOG = LoggerFactory.getLogger(SwarmEvents.class);
  /** Container actions that change what a task serves; exec and attach events are noise here. */
  private static final Set<String> TASK_ACTIONS = Set.of("start", "die", "kill", "oom", "stop", "destroy", "health_status");

  private final DockerEngine engine;

  SwarmEvents(DockerEngine engine) {
    this.engine = engine;
  }

  Orchestrator.EventWatch watch(Handler<UUID> changed) {
    Promise<Void> ended = Promise.promise();
    ResultCallback.Adapter<Event> callback = new ResultCallback.Adapter<>() {
      @Override
      public void onNext(Event event) {
        UUID containerId = containerOf(event);
        if (containerId != null) {
          changed.handle(containerId);
        }
      }

      @Override
      public void onError(Throwable error) {
        ended.tryFail(error);
      }

      @Override
      public void onComplete() {
        ended.tryComplete();
      }
    };
    if (!engine.configured()) {
      ended.tryFail(engine.status().message());
    } else {
      // exec only starts the stream; docker-java reads it on its own thread
      engine.call(docker -> docker.eventsCmd().withEventTypeFilter(EventType.CONTAINER, EventType.SERVICE).exec(callback))
          .onFailure(ended::tryFail);
    }
    return new Orchestrator.EventWatch() {
      @Override
      public Future<Void> ended() {
        return ended.future();
      }

      @Override
      public void close() {
        try {
          callback.close();
        } catch (IOException e) {
          LOG.debug("closing the event stream failed: {}", e.getMessage());
        }
        ended.tryComplete();
      }
    };
  }

  /** The platform container an event concerns: by the task container's label, or by the service's name c-<id>. */
  static UUID containerOf(Event event) {
    if (event.getActor() == null || event.getActor().getAttributes() == null) {
      return null;
    }
    Map<String, String> attributes = event.getActor().getAttributes();
    String id = null;
    if (event.getType() == EventType.CONTAINER) {
      String action = event.getAction() == null ? "" : event.getAction();
      if (TASK_ACTIONS.stream().anyMatch(action::startsWith)) {
        id = attributes.get(Labels.CONTAINER);
      }
    } else if (event.getType() == EventType.SERVICE) {
      String name = attributes.get("name");
      id = name != null && name.startsWith("c-") ? name.substring(2) : null;
    }
    try {
      return id == null ? null : UUID.fromString(id);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
