package io.skypanel.edge.tls;

import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;

/**
 * Reads and writes the PEM forms the edge stores: certificate chains (leaf first) and private keys. Keys are
 * written as PKCS#8; reading also accepts the PKCS#1 / SEC1 forms operators' files often use.
 */
public final class PemCodec {

  private PemCodec() {
  }

  /** Every certificate in {@code pem}, in file order (leaf first); at least one. */
  public static X509Certificate[] chain(String pem) {
    try {
      CertificateFactory factory = CertificateFactory.getInstance("X.509");
      List<X509Certificate> certificates = factory.generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))
          .stream().map(X509Certificate.class::cast).toList();
      if (certificates.isEmpty()) {
        throw new IllegalArgumentException("no certificate in the PEM text");
      }
      return certificates.toArray(X509Certificate[]::new);
    } catch (CertificateException e) {
      throw new IllegalArgumentException("unreadable certificate chain: " + e.getMessage(), e);
    }
  }

  public static PrivateKey privateKey(String pem) {
    try (PEMParser parser = new PEMParser(new StringReader(pem))) {
      JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
      for (Object item = parser.readObject(); item != null; item = parser.readObject()) {
        if (item instanceof PrivateKeyInfo info) {
          return converter.getPrivateKey(info);
        }
        if (item instanceof PEMKeyPair pair) {
          return converter.getKeyPair(pair).getPrivate();
        }
      }
      throw new IllegalArgumentException("no private key in the PEM text");
    } catch (IOException e) {
      // never echo the text: it is a secret
      throw new IllegalArgumentException("unreadable private key");
    }
  }

  public static String chainPem(List<X509Certificate> chain) {
    StringBuilder pem = new StringBuilder();
    try {
      for (X509Certificate certificate : chain) {
        pem.append(pem("CERTIFICATE", certificate.getEncoded()));
      }
    } catch (java.security.cert.CertificateEncodingException e) {
      throw new IllegalArgumentException("cannot encode a certificate", e);
    }
    return pem.toString();
  }

  public static String privateKeyPem(PrivateKey key) {
    return pem("PRIVATE KEY", key.getEncoded());
  }

  private static String pem(String type, byte[] der) {
    String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
    return "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
  }
}
