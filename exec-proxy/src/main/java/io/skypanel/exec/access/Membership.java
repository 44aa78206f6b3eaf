package io.skypanel.exec.access;

import io.skypanel.common.auth.OrgRole;
import java.util.UUID;

/**
 * The caller's membership in the organization a request acts in, with what that organization's isolation tier
 * says about exec.
 *
 * @param execAllowed    {@code caas_isolation_tiers.exec_allowed}: consoles and one-off execs may run at all
 * @param transcriptExec {@code caas_isolation_tiers.transcript_exec}: sessions are recorded in full
 */
public record Membership(UUID organizationId, OrgRole role, String isolationTier, boolean execAllowed, boolean transcriptExec) {
}
