package io.skypanel.edge.tls;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.X509ExtendedKeyManager;
import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;

/**
 * Picks the server certificate per handshake from a {@link CertificateStore}, by the name the client asked for
 * (SNI). One SslContext serves every hostname this way: no per-name context cache to size or to invalidate, and
 * a certificate put into the store is presented by the next handshake without touching the listener.
 */
public final class SniKeyManager extends X509ExtendedKeyManager {

  private final CertificateStore store;

  public SniKeyManager(CertificateStore store) {
    this.store = store;
  }

  @Override
  public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
    return store.alias(engine == null ? null : requestedName(engine.getHandshakeSession()), keyType);
  }

  @Override
  public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
    SSLSession session = socket instanceof SSLSocket ssl ? ssl.getHandshakeSession() : null;
    return store.alias(requestedName(session), keyType);
  }

  @Override
  public X509Certificate[] getCertificateChain(String alias) {
    CertifiedKey key = store.byAlias(alias);
    return key == null ? null : key.chain().clone();
  }

  @Override
  public PrivateKey getPrivateKey(String alias) {
    CertifiedKey key = store.byAlias(alias);
    return key == null ? null : key.privateKey();
  }

  @Override
  public String[] getServerAliases(String keyType, Principal[] issuers) {
    String alias = store.alias(null, keyType);
    return alias == null ? null : new String[] {alias};
  }

  // a server never authenticates as a client with these certificates

  @Override
  public String[] getClientAliases(String keyType, Principal[] issuers) {
    return null;
  }

  @Override
  public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
    return null;
  }

  @Override
  public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
    return null;
  }

  private static String requestedName(SSLSession session) {
    return SniNames.requested(session);
  }
}
