package dev.spindle.bench.serving;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * One blocking HTTP/1.1 keep-alive connection that POSTs a body and reads the answer on the
 * calling thread, as load tools such as wrk do. The JDK's HttpClient hands every request to
 * its selector and executor threads, which on a 2-core machine shared with the service adds
 * milliseconds of its own to the tail; this measures the service instead. It understands
 * what Jetty sends: Content-Length or chunked bodies.
 */
final class KeepAliveConnection implements AutoCloseable {
  /** An answer: status, the Server-Timing header (null if absent), the body. */
  record Answer(int status, String serverTiming, byte[] body) {
  }

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;
  private final byte[] head;

  KeepAliveConnection(URI endpoint) throws IOException {
    socket = new Socket();
    socket.setTcpNoDelay(true);
    socket.connect(new InetSocketAddress(endpoint.getHost(), endpoint.getPort()), 5_000);
    socket.setSoTimeout(30_000);
    in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
    out = socket.getOutputStream();
    head = ("POST " + endpoint.getRawPath() + " HTTP/1.1\r\nHost: " + endpoint.getHost() + ":"
        + endpoint.getPort() + "\r\nContent-Type: application/octet-stream\r\n")
        .getBytes(StandardCharsets.US_ASCII);
  }

  Answer post(byte[] body) throws IOException {
    ByteArrayOutputStream request = new ByteArrayOutputStream(head.length + body.length + 32);
    request.write(head);
    request.write(("Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
    request.write(body);
    request.writeTo(out);
    out.flush();
    String statusLine = line();
    int status = Integer.parseInt(statusLine.split(" ", 3)[1]);
    long length = -1;
    boolean chunked = false;
    String serverTiming = null;
    for (String header = line(); !header.isEmpty(); header = line()) {
      int colon = header.indexOf(':');
      String name = header.substring(0, colon).trim().toLowerCase(Locale.ROOT);
      String value = header.substring(colon + 1).trim();
      switch (name) {
        case "content-length" -> length = Long.parseLong(value);
        case "transfer-encoding" -> chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
        case "server-timing" -> serverTiming = value;
        default -> { }
      }
    }
    return new Answer(status, serverTiming, chunked ? chunkedBody() : bytes((int) Math.max(0, length)));
  }

  private byte[] chunkedBody() throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    for (int size = Integer.parseInt(line().split(";")[0].trim(), 16); size > 0;
        size = Integer.parseInt(line().split(";")[0].trim(), 16)) {
      body.write(bytes(size));
      line(); // the CRLF after each chunk
    }
    for (String trailer = line(); !trailer.isEmpty(); trailer = line()) {
      // trailers: none expected
    }
    return body.toByteArray();
  }

  private byte[] bytes(int n) throws IOException {
    byte[] data = in.readNBytes(n);
    if (data.length < n) {
      throw new EOFException("connection closed after " + data.length + " of " + n + " bytes");
    }
    return data;
  }

  private String line() throws IOException {
    StringBuilder line = new StringBuilder();
    for (int c = in.read(); c != '\n'; c = in.read()) {
      if (c < 0) {
        throw new EOFException("connection closed by the server");
      }
      if (c != '\r') {
        line.append((char) c);
      }
    }
    return line.toString();
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
