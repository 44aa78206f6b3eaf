package io.skypanel.controlplane.runtime.orchestration;

import java.util.ArrayList;
import java.util.List;

/**
 * The overlay networks an organization's tasks join.
 *
 * @param internalId     the organization's internal, attachable network: tasks of the organization and the edge
 *                       gateways meet there; it has no route out
 * @param egressId       the organization's egress network while it allows egress (its tasks get a default route
 *                       through the node), else null
 * @param internalCreated true when this call created the internal network (edge gateways should join it now)
 */
public record OrganizationNetworks(String internalId, String egressId, boolean internalCreated) {

  /** What a task attaches to: the internal network first, so it stays the task's first interface. */
  public List<String> ids() {
    List<String> ids = new ArrayList<>(2);
    ids.add(internalId);
    if (egressId != null) {
      ids.add(egressId);
    }
    return List.copyOf(ids);
  }
}
