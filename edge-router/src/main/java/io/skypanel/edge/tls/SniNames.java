package io.skypanel.edge.tls;

import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLSession;
import javax.net.ssl.StandardConstants;

/** Reads the server name a client asked for from a handshake in progress. */
public final class SniNames {

  private SniNames() {
  }

  /** The host_name from the ClientHello's SNI extension, or null (no SNI, or not a JDK handshake session). */
  public static String requested(SSLSession handshakeSession) {
    if (!(handshakeSession instanceof ExtendedSSLSession extended)) {
      return null;
    }
    for (SNIServerName name : extended.getRequestedServerNames()) {
      if (name.getType() == StandardConstants.SNI_HOST_NAME) {
        return name instanceof SNIHostName host ? host.getAsciiName() : new SNIHostName(name.getEncoded()).getAsciiName();
      }
    }
    return null;
  }
}
