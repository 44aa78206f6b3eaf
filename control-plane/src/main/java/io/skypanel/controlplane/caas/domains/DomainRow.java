package io.skypanel.controlplane.caas.domains;

import io.skypanel.controlplane.caas.edge.EdgeTarget;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;

import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * A custom domain of a container or of an environment as the API shows it, with the workload the edge routes it to
 * (the container, or the environment's web process; null before an environment's first deploy). The certificate
 * columns are written by the edge router's ACME manager and only read here; the certificate chain and its sealed key
 * are never selected.
 */
public record DomainRow(UUID id, UUID organizationId, UUID containerId, UUID environmentId, UUID workloadId, String hostname,
                        String token, OffsetDateTime verifiedAt,
                        OffsetDateTime lastCheckedAt, String verificationError, String certStatus, String certStatusReason,
                        String certIssuer, OffsetDateTime certNotBefore, OffsetDateTime certNotAfter, OffsetDateTime createdAt) {

  static final String COLUMNS = """
      d.id, d.organization_id, d.container_id, d.environment_id,
      coalesce(d.container_id, (SELECT w.id FROM paas_containers w WHERE w.environment_id = d.environment_id AND w.kind = 'process'
                                   AND w.process_type = 'web' AND w.status <> 'deleting')) AS workload_id,
      d.hostname, d.verification_token, d.verified_at, d.last_checked_at,
      d.verification_error, d.cert_status, d.cert_status_reason, d.cert_issuer, d.cert_not_before, d.cert_not_after, d.created_at""";

  static DomainRow from(Row row) {
    return new DomainRow(row.getUUID("id"), row.getUUID("organization_id"), row.getUUID("container_id"), row.getUUID("environment_id"),
        row.getUUID("workload_id"), row.getString("hostname"),
        row.getString("verification_token"), row.getOffsetDateTime("verified_at"), row.getOffsetDateTime("last_checked_at"),
        row.getString("verification_error"), row.getString("cert_status"), row.getString("cert_status_reason"),
        row.getString("cert_issuer"), row.getOffsetDateTime("cert_not_before"), row.getOffsetDateTime("cert_not_after"),
        row.getOffsetDateTime("created_at"));
  }

  /** The container or environment the domain belongs to. */
  public EdgeTarget target() {
    return containerId != null ? EdgeTarget.container(containerId) : EdgeTarget.environment(environmentId);
  }

  public boolean verified() {
    return verifiedAt != null;
  }

  /** The API's domain object; the token is published in DNS by the customer, so it is no secret. */
  public JsonObject toJson() {
    return new JsonObject()
        .put("id", id.toString())
        .put("hostname", hostname)
        .put("container_id", containerId == null ? null : containerId.toString())
        .put("environment_id", environmentId == null ? null : environmentId.toString())
        .put("status", verified() ? "verified" : "pending_verification")
        .put("verification", new JsonObject().put("type", "TXT").put("name", Hostnames.challengeName(hostname)).put("value", token))
        .put("verified_at", text(verifiedAt))
        .put("last_checked_at", text(lastCheckedAt))
        .put("verification_error", verificationError)
        .put("certificate", new JsonObject()
            .put("status", certStatus)
            .put("reason", certStatusReason)
            .put("issuer", certIssuer)
            .put("not_before", text(certNotBefore))
            .put("not_after", text(certNotAfter)))
        .put("created_at", createdAt.toString());
  }

  private static String text(OffsetDateTime time) {
    return time == null ? null : time.toString();
  }
}
