package io.skypanel.gateway;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * A blocking SOCKS5 client speaking the protocol byte by byte, so tests see exactly which reply code the relay
 * sends. Test code only (it blocks).
 */
final class SocksClient implements AutoCloseable {

  static final int SUCCEEDED = 0x00;
  static final int NOT_ALLOWED = 0x02;
  static final int NETWORK_UNREACHABLE = 0x03;
  static final int HOST_UNREACHABLE = 0x04;
  static final int CONNECTION_REFUSED = 0x05;
  static final int COMMAND_UNSUPPORTED = 0x07;
  static final int ADDRESS_UNSUPPORTED = 0x08;

  final Socket socket;
  final DataInputStream in;
  final OutputStream out;

  private SocksClient(Socket socket) throws IOException {
    this.socket = socket;
    this.in = new DataInputStream(socket.getInputStream());
    this.out = socket.getOutputStream();
  }

  /** Connects to the relay and offers "no authentication"; fails unless the relay accepts it. */
  static SocksClient open(InetSocketAddress relay) throws IOException {
    SocksClient client = raw(relay);
    int method = client.greet(0x00);
    if (method != 0x00) {
      client.close();
      throw new IOException("relay chose method " + method);
    }
    return client;
  }

  /** Speaks SOCKS over an already connected, blocking channel (which the caller may switch to non-blocking after). */
  static SocksClient over(java.nio.channels.SocketChannel channel) throws IOException {
    SocksClient client = new SocksClient(channel.socket());
    int method = client.greet(0x00);
    if (method != 0x00) {
      throw new IOException("relay chose method " + method);
    }
    return client;
  }

  /** Connects to the relay without saying anything yet. */
  static SocksClient raw(InetSocketAddress relay) throws IOException {
    Socket socket = new Socket();
    socket.connect(relay, 2000);
    socket.setSoTimeout(10_000);
    return new SocksClient(socket);
  }

  /** Sends the method list; returns the method the relay chose (0xFF: none acceptable). */
  int greet(int... methods) throws IOException {
    byte[] request = new byte[2 + methods.length];
    request[0] = 5;
    request[1] = (byte) methods.length;
    for (int i = 0; i < methods.length; i++) {
      request[2 + i] = (byte) methods[i];
    }
    out.write(request);
    out.flush();
    int version = in.readUnsignedByte();
    if (version != 5) {
      throw new IOException("not a SOCKS5 answer: version " + version);
    }
    return in.readUnsignedByte();
  }

  /** CONNECT to an IPv4 address; returns the reply code. */
  int connect(String ipv4, int port) throws IOException {
    String[] parts = ipv4.split("\\.");
    byte[] address = new byte[4];
    for (int i = 0; i < 4; i++) {
      address[i] = (byte) Integer.parseInt(parts[i]);
    }
    return command(0x01, 0x01, address, port);
  }

  /** CONNECT to a name (address type 0x03); returns the reply code. */
  int connectName(String name, int port) throws IOException {
    byte[] bytes = name.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    byte[] address = new byte[1 + bytes.length];
    address[0] = (byte) bytes.length;
    System.arraycopy(bytes, 0, address, 1, bytes.length);
    return command(0x01, 0x03, address, port);
  }

  /** Any command with any address type; returns the reply code. */
  int command(int command, int addressType, byte[] address, int port) throws IOException {
    byte[] request = new byte[4 + address.length + 2];
    request[0] = 5;
    request[1] = (byte) command;
    request[2] = 0;
    request[3] = (byte) addressType;
    System.arraycopy(address, 0, request, 4, address.length);
    request[request.length - 2] = (byte) (port >> 8);
    request[request.length - 1] = (byte) port;
    out.write(request);
    out.flush();
    int version = in.readUnsignedByte();
    int reply = in.readUnsignedByte();
    in.readUnsignedByte();  // reserved
    int type = in.readUnsignedByte();
    int length = switch (type) {
      case 0x01 -> 4;
      case 0x04 -> 16;
      case 0x03 -> in.readUnsignedByte();
      default -> throw new IOException("bad address type in reply: " + type);
    };
    in.readFully(new byte[length + 2]);
    if (version != 5) {
      throw new IOException("not a SOCKS5 reply: version " + version);
    }
    return reply;
  }

  /** True when the relay closed the connection (end of stream). */
  boolean closedByRelay() throws IOException {
    return in.read() == -1;
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
