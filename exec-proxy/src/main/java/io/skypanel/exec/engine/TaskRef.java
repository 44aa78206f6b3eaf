package io.skypanel.exec.engine;

/** A running Swarm task of a container: where an exec goes. */
public record TaskRef(String taskId, String nodeId, String dockerContainerId, int slot) {
}
