package io.skypanel.controlplane.paas.builds;

/**
 * Where a build's output goes while it runs, line by line, without the trailing newline. Builders call it from
 * whatever thread produces the output (a docker-java callback, a worker); implementations must be thread-safe and
 * must not block. Secrets (config values, registry passwords) are never written to it.
 */
@FunctionalInterface
public interface BuildLog {

  void line(String text);

  /** A log that drops everything. */
  BuildLog NONE = text -> { };
}
