package io.skypanel.controlplane.runtime.workloads;

import io.skypanel.common.errors.DomainException;

/**
 * A workload cannot be built as stored (a volume gone from the organization, a size no plan offers): the
 * reconciler records the message on the workload; where it reaches a request it is a 422 with the code.
 */
public final class WorkloadRejected extends DomainException {

  public WorkloadRejected(String code, String message) {
    super(Kind.UNPROCESSABLE, code, message);
  }
}
