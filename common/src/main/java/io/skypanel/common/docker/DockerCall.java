package io.skypanel.common.docker;

import com.github.dockerjava.api.DockerClient;

/**
 * One blocking piece of work against the engine's docker-java client. The client is only ever handed to such a
 * call, which {@link DockerEngine} runs on one of its worker pools, so no engine call can happen on an event loop.
 *
 * @param <T> what the call returns
 */
@FunctionalInterface
public interface DockerCall<T> {

  T apply(DockerClient docker) throws Exception;
}
