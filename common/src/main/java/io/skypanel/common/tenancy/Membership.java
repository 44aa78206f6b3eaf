package io.skypanel.common.tenancy;

import io.skypanel.common.auth.OrgRole;

import java.util.UUID;

/**
 * A caller's membership in the organization a request acts in, as every service reads it.
 *
 * @param isolationTier the organization's isolation tier id (what its tasks may do: exec, egress, ...)
 */
public record Membership(UUID organizationId, String slug, boolean personal, OrgRole role, String isolationTier) {

  public boolean atLeast(OrgRole required) {
    return role.atLeast(required);
  }
}
