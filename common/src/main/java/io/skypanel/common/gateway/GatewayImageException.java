package io.skypanel.common.gateway;

/** The edge gateway image cannot be made on this engine; the message says what an operator has to do. */
public final class GatewayImageException extends RuntimeException {

  public GatewayImageException(String message) {
    super(message);
  }

  public GatewayImageException(String message, Throwable cause) {
    super(message, cause);
  }
}
