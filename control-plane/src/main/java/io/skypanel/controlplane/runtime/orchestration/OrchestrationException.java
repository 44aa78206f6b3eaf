package io.skypanel.controlplane.runtime.orchestration;

/**
 * The engine's state does not allow what the platform asked for (a foreign object under a platform name, a
 * network of the wrong kind). A domain failure of background code: the reconciler records its message on the
 * container; it never becomes an HTTP status by itself.
 */
public class OrchestrationException extends RuntimeException {

  public OrchestrationException(String message) {
    super(message);
  }
}
