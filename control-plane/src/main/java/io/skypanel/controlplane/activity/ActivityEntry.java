package io.skypanel.controlplane.activity;

import io.vertx.core.json.JsonObject;

import java.util.UUID;

/**
 * One row of the activity log: who did what to which target, from where.
 *
 * @param action dotted, e.g. {@code organization.member.add} or {@code caas.container.create}
 */
public record ActivityEntry(UUID organizationId, UUID userId, String action, String targetType, String targetId,
                            JsonObject metadata, String ip) {
}
