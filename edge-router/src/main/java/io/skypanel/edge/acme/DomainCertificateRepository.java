package io.skypanel.edge.acme;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The certificate columns of {@code paas_domains} as the certificate manager reads and writes them. Only
 * verified, non-wildcard names get certificates (a wildcard needs DNS-01, which the platform cannot answer).
 */
final class DomainCertificateRepository {

  /** A domain's certificate state. */
  record DomainCertificate(UUID id, String hostname, String status, int attempts, Instant nextAttemptAt,
                           Instant notBefore, Instant notAfter) {
  }

  private static final String COLUMNS = """
      id, lower(hostname) AS hostname, cert_status, cert_attempts, cert_next_attempt_at, cert_not_before, cert_not_after""";

  /**
   * Renewal point = not_before + ⅔ of the lifetime (rows from before V7 have no not_before: assume 90 days);
   * {@link RenewalPolicy#needsOrder} states the same rule for the re-check under the lock.
   */
  private static final String DUE = "SELECT " + COLUMNS + """
        FROM paas_domains
       WHERE verified_at IS NOT NULL AND hostname NOT LIKE '*.%'
         AND (cert_next_attempt_at IS NULL OR cert_next_attempt_at <= now())
         AND (cert_status IN ('none', 'pending', 'failed')
              OR (cert_status IN ('issued', 'renewing')
                  AND now() >= coalesce(cert_not_before, cert_not_after - interval '90 days')
                               + (cert_not_after - coalesce(cert_not_before, cert_not_after - interval '90 days')) * 2 / 3))
       ORDER BY cert_next_attempt_at NULLS FIRST, id
       LIMIT $1""";

  private static final String BY_ID = "SELECT " + COLUMNS + " FROM paas_domains WHERE id = $1 AND verified_at IS NOT NULL";

  // 'renewing' only while a still-valid certificate is stored: that one keeps being served meanwhile
  private static final String STARTED = """
      UPDATE paas_domains
         SET cert_status = CASE WHEN cert_chain_pem IS NOT NULL AND cert_private_key_sealed IS NOT NULL AND cert_not_after > now()
                                THEN 'renewing' ELSE 'pending' END
       WHERE id = $1""";

  private static final String ISSUED = """
      UPDATE paas_domains
         SET cert_status = 'issued', cert_status_reason = NULL, cert_issuer = $2, cert_not_before = $3, cert_not_after = $4,
             cert_chain_pem = $5, cert_private_key_sealed = $6, cert_attempts = 0, cert_next_attempt_at = NULL
       WHERE id = $1""";

  private static final String FAILED = """
      UPDATE paas_domains
         SET cert_status = 'failed', cert_status_reason = $2, cert_attempts = $3, cert_next_attempt_at = $4
       WHERE id = $1""";

  private static final String DEFERRED = "UPDATE paas_domains SET cert_next_attempt_at = $2, cert_status_reason = $3 WHERE id = $1";

  Future<List<DomainCertificate>> due(SqlClient client, int limit) {
    return client.preparedQuery(DUE).execute(Tuple.of(limit)).map(rows -> {
      List<DomainCertificate> due = new ArrayList<>();
      rows.forEach(row -> due.add(domain(row)));
      return due;
    });
  }

  /** The domain, or null when it is gone or no longer verified. */
  Future<DomainCertificate> byId(SqlClient client, UUID id) {
    return client.preparedQuery(BY_ID).execute(Tuple.of(id))
        .map(rows -> rows.size() == 0 ? null : domain(rows.iterator().next()));
  }

  Future<Void> started(SqlClient client, UUID id) {
    return client.preparedQuery(STARTED).execute(Tuple.of(id)).mapEmpty();
  }

  Future<Void> issued(SqlClient client, UUID id, String issuer, Instant notBefore, Instant notAfter, String chainPem, String sealedKey) {
    return client.preparedQuery(ISSUED)
        .execute(Tuple.of(id, issuer, time(notBefore), time(notAfter), chainPem, sealedKey)).mapEmpty();
  }

  Future<Void> failed(SqlClient client, UUID id, String reason, int attempts, Instant nextAttempt) {
    return client.preparedQuery(FAILED).execute(Tuple.of(id, reason, attempts, time(nextAttempt))).mapEmpty();
  }

  Future<Void> deferred(SqlClient client, UUID id, Instant nextAttempt, String reason) {
    return client.preparedQuery(DEFERRED).execute(Tuple.of(id, time(nextAttempt), reason)).mapEmpty();
  }

  private static DomainCertificate domain(Row row) {
    return new DomainCertificate(row.getUUID("id"), row.getString("hostname"), row.getString("cert_status"),
        row.getInteger("cert_attempts"), instant(row.getOffsetDateTime("cert_next_attempt_at")),
        instant(row.getOffsetDateTime("cert_not_before")), instant(row.getOffsetDateTime("cert_not_after")));
  }

  private static Instant instant(OffsetDateTime time) {
    return time == null ? null : time.toInstant();
  }

  private static OffsetDateTime time(Instant instant) {
    return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
  }
}
