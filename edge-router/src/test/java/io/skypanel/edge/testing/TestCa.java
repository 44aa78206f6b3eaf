package io.skypanel.edge.testing;

import io.skypanel.edge.tls.KeyPairs;
import io.skypanel.edge.tls.CertifiedKey;
import io.skypanel.edge.tls.PemCodec;
import org.shredzone.acme4j.util.CSRBuilder;
import org.shredzone.acme4j.util.CertificateUtils;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** A throwaway certificate authority for tests: issues leaf certificates for names and addresses. */
public final class TestCa {

  // RSA: acme4j's test certificate helpers sign with SHA256withRSA
  private final KeyPair rootKey = KeyPairs.rsa2048();
  private final X509Certificate root;
  private final KeyPair leafKey = KeyPairs.ecP256();

  public TestCa(String name) {
    Instant now = Instant.now();
    root = CertificateUtils.createTestRootCertificate("CN=" + name, now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(365)), rootKey);
  }

  public X509Certificate root() {
    return root;
  }

  public String rootPem() {
    return PemCodec.chainPem(List.of(root));
  }

  /** A leaf for {@code host} valid in [notBefore, notAfter]; all leaves share one key (issuing stays fast). */
  public CertifiedKey issue(String host, Instant notBefore, Instant notAfter) {
    return issue(List.of(host), List.of(), notBefore, notAfter);
  }

  public CertifiedKey issue(String host) {
    Instant now = Instant.now();
    return issue(host, now.minus(Duration.ofHours(1)), now.plus(Duration.ofDays(90)));
  }

  public CertifiedKey issue(List<String> hosts, List<InetAddress> addresses, Instant notBefore, Instant notAfter) {
    try {
      CSRBuilder csr = new CSRBuilder();
      csr.addDomains(hosts);
      addresses.forEach(csr::addIP);
      csr.sign(leafKey);
      X509Certificate leaf = CertificateUtils.createTestCertificate(csr.getCSR(), notBefore, notAfter, root, rootKey.getPrivate());
      return new CertifiedKey(new X509Certificate[] {leaf, root}, leafKey.getPrivate());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Writes a server certificate (chain) and key for localhost / 127.0.0.1 as PEM files; returns {cert, key}. */
  public Path[] writeServerFiles(Path directory) throws IOException {
    Instant now = Instant.now();
    CertifiedKey server = issue(List.of("localhost"), List.of(InetAddress.getLoopbackAddress()), now.minus(Duration.ofHours(1)), now.plus(Duration.ofDays(30)));
    Path cert = directory.resolve("server-cert.pem");
    Path key = directory.resolve("server-key.pem");
    Files.writeString(cert, PemCodec.chainPem(List.of(server.chain())));
    Files.writeString(key, PemCodec.privateKeyPem(server.privateKey()));
    return new Path[] {cert, key};
  }
}
