package io.skypanel.edge.tls;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads the certificates the edge may present: every verified domain's stored chain and sealed key that has not
 * expired. The status is deliberately not a filter: a domain whose renewal failed ({@code failed}) or is under
 * way ({@code renewing}) keeps serving its still-valid certificate.
 */
public final class CertificateRepository {

  /** One row as stored; the key stays sealed until the caller opens it off the event loop. */
  public record StoredCertificate(String hostname, String chainPem, String sealedKey) {
  }

  private static final String CERTIFICATES = """
      SELECT lower(hostname) AS hostname, cert_chain_pem, cert_private_key_sealed
        FROM paas_domains
       WHERE verified_at IS NOT NULL AND cert_chain_pem IS NOT NULL AND cert_private_key_sealed IS NOT NULL
         AND cert_not_after > now() AND ($1::text IS NULL OR lower(hostname) = $1)""";

  public Future<List<StoredCertificate>> all(SqlClient client) {
    return client.preparedQuery(CERTIFICATES).execute(Tuple.of((String) null)).map(CertificateRepository::certificates);
  }

  public Future<List<StoredCertificate>> forHost(SqlClient client, String hostname) {
    return client.preparedQuery(CERTIFICATES).execute(Tuple.of(hostname.toLowerCase(Locale.ROOT)))
        .map(CertificateRepository::certificates);
  }

  private static List<StoredCertificate> certificates(RowSet<Row> rows) {
    List<StoredCertificate> found = new ArrayList<>();
    for (Row row : rows) {
      found.add(new StoredCertificate(row.getString("hostname"), row.getString("cert_chain_pem"), row.getString("cert_private_key_sealed")));
    }
    return found;
  }
}
