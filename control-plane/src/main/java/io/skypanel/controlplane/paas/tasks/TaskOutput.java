package io.skypanel.controlplane.paas.tasks;

import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Frame;
import io.skypanel.common.docker.DockerEngine;
import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/** The last lines a finished task's container printed (stdout and stderr), read on the Docker worker pool. */
final class TaskOutput {

  private static final Logger LOG = LoggerFactory.getLogger(TaskOutput.class);

  private final DockerEngine engine;

  TaskOutput(DockerEngine engine) {
    this.engine = engine;
  }

  /** Up to {@code lines} last lines and at most the last {@code maxChars} of them, or "" when the container is gone or says nothing. */
  Future<String> tail(String containerId, int lines, int maxChars) {
    if (containerId == null) {
      return Future.succeededFuture("");
    }
    // a log read waits on the engine for up to seconds: on the slow pool
    return engine.callSlow(docker -> {
      StringBuilder out = new StringBuilder();
      docker.logContainerCmd(containerId).withStdOut(true).withStdErr(true).withTail(lines)
          .exec(new ResultCallback.Adapter<Frame>() {
            @Override
            public void onNext(Frame frame) {
              out.append(new String(frame.getPayload(), StandardCharsets.UTF_8));
            }
          }).awaitCompletion(10, TimeUnit.SECONDS);
      String text = out.toString().strip();
      return text.length() <= maxChars ? text : text.substring(text.length() - maxChars);
    }).otherwise(err -> {
      // a task's outcome does not depend on its output: say why it is missing, once, here
      LOG.warn("could not read the output of task container {}: {}", containerId, err.getMessage());
      return "";
    });
  }
}
