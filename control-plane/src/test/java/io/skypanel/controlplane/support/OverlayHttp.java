package io.skypanel.controlplane.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A blocking HTTP/1.0 GET to a task's overlay address through an edge gateway's SOCKS5 relay on loopback: how a
 * test reaches a task that publishes no port, the way the edge does.
 */
public final class OverlayHttp {

  private OverlayHttp() {
  }

  /** The body of {@code GET /} at {@code address:port}; fails with IOException unless it answers 200. */
  public static String get(int relayPort, String address, int port) throws IOException {
    return get(relayPort, address, port, "/");
  }

  /** The body of {@code GET <path>} at {@code address:port}; fails with IOException unless it answers 200. */
  public static String get(int relayPort, String address, int port, String path) throws IOException {
    try (Socket socket = new Socket(new Proxy(Proxy.Type.SOCKS, new InetSocketAddress("127.0.0.1", relayPort)))) {
      socket.connect(new InetSocketAddress(InetAddress.getByName(address), port), 1000);
      socket.setSoTimeout(3000);
      OutputStream out = socket.getOutputStream();
      out.write(("GET " + path + " HTTP/1.0\r\nHost: " + address + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      String response = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      int split = response.indexOf("\r\n\r\n");
      if (!response.startsWith("HTTP/1.") || split < 0) {
        throw new IOException("no HTTP response from " + address + ":" + port + ": " + response.length() + " bytes");
      }
      String status = response.substring(0, response.indexOf("\r\n"));
      if (!status.contains(" 200 ")) {
        throw new IOException(address + ":" + port + " answered " + status);
      }
      return response.substring(split + 4);
    }
  }
}
