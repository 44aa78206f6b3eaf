package io.skypanel.edge.acme;

import org.shredzone.acme4j.connector.HttpConnector;
import org.shredzone.acme4j.connector.NetworkSettings;
import org.shredzone.acme4j.provider.GenericAcmeProvider;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Collection;

/**
 * acme4j's generic provider, talking HTTPS to the ACME server with the JDK's trusted roots plus the roots in
 * {@code SKYPANEL_ACME_TRUST_PEM_FILE} (a private CA, or Pebble's test CA). acme4j 3 builds every request's
 * {@link HttpClient} through the provider's {@link HttpConnector}, which is where the SSLContext goes in.
 */
final class TrustingAcmeProvider extends GenericAcmeProvider {

  private final SSLContext sslContext;

  TrustingAcmeProvider(SSLContext sslContext) {
    this.sslContext = sslContext;
  }

  @Override
  protected HttpConnector createHttpConnector(NetworkSettings settings) {
    return new HttpConnector(settings) {
      @Override
      public HttpClient.Builder createClientBuilder() {
        return super.createClientBuilder().sslContext(sslContext);
      }
    };
  }

  /** The JDK's default trust anchors plus every certificate in {@code pemFile}. Reads a file. */
  static SSLContext trusting(Path pemFile) {
    try {
      KeyStore anchors = KeyStore.getInstance("PKCS12");
      anchors.load(null, null);
      TrustManagerFactory defaults = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      defaults.init((KeyStore) null);
      int n = 0;
      for (var manager : defaults.getTrustManagers()) {
        if (manager instanceof X509TrustManager x509) {
          for (X509Certificate root : x509.getAcceptedIssuers()) {
            anchors.setCertificateEntry("jdk-" + n++, root);
          }
        }
      }
      Collection<? extends Certificate> extra;
      try (InputStream in = Files.newInputStream(pemFile)) {
        extra = CertificateFactory.getInstance("X.509").generateCertificates(in);
      }
      if (extra.isEmpty()) {
        throw new IllegalArgumentException("SKYPANEL_ACME_TRUST_PEM_FILE " + pemFile + " holds no certificate");
      }
      for (Certificate root : extra) {
        anchors.setCertificateEntry("extra-" + n++, root);
      }
      TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(anchors);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, factory.getTrustManagers(), null);
      return context;
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException("cannot use SKYPANEL_ACME_TRUST_PEM_FILE " + pemFile + ": " + e.getMessage(), e);
    }
  }
}
