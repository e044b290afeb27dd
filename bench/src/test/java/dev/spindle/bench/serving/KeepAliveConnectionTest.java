package dev.spindle.bench.serving;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class KeepAliveConnectionTest {
  private HttpServer server;

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/fixed", exchange -> answer(exchange, false));
    server.createContext("/chunked", exchange -> answer(exchange, true));
    server.start();
  }

  /** Echoes the body's length, with a Server-Timing header; chunked or with a length. */
  private void answer(HttpExchange exchange, boolean chunked) throws IOException {
    byte[] body = ("got " + exchange.getRequestBody().readAllBytes().length + " bytes")
        .getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Server-Timing", "predict;dur=1.250");
    exchange.sendResponseHeaders(200, chunked ? 0 : body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
  }

  @Test
  void shouldReadAnswersWithALengthAndReuseTheConnection() throws IOException {
    try (KeepAliveConnection connection = new KeepAliveConnection(uri("/fixed"))) {
      for (int i = 1; i <= 3; i++) {
        KeepAliveConnection.Answer answer = connection.post(new byte[i * 100]);
        assertThat(answer.status()).isEqualTo(200);
        assertThat(new String(answer.body(), StandardCharsets.UTF_8)).isEqualTo("got " + i * 100 + " bytes");
        assertThat(HttpClients.serverNanos(answer.serverTiming())).isEqualTo(1_250_000);
      }
    }
  }

  @Test
  void shouldReadChunkedAnswers() throws IOException {
    try (KeepAliveConnection connection = new KeepAliveConnection(uri("/chunked"))) {
      assertThat(new String(connection.post(new byte[7]).body(), StandardCharsets.UTF_8))
          .isEqualTo("got 7 bytes");
      assertThat(new String(connection.post(new byte[8]).body(), StandardCharsets.UTF_8))
          .isEqualTo("got 8 bytes");
    }
  }

  @Test
  void shouldSayMinusOneWhenTheServerReportsNoTiming() {
    assertThat(HttpClients.serverNanos(null)).isEqualTo(-1);
  }
}
