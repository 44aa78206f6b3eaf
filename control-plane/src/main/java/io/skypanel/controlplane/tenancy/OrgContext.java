package io.skypanel.controlplane.tenancy;

import io.skypanel.common.auth.OrgRole;
import java.util.UUID;

/** The organization a tenant request acts in, and the caller's role there. */
public record OrgContext(UUID organizationId, String slug, boolean personal, OrgRole role) {
}
