package dev.spindle.ingest;

import dev.spindle.schemas.Topics;
import dev.spindle.schemas.config.Settings;
import dev.spindle.stack.LocalStack;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Test helpers: ingest configured for the local stack, and an HTTP client for its API. */
public final class IngestFixture {
  private static final HttpClient HTTP = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(5)).build();

  private IngestFixture() {
  }

  public static IngestConfig config(LocalStack stack, Map<String, String> overrides) {
    Map<String, String> values = new HashMap<>();
    values.put("kafka.bootstrap.servers", stack.bootstrapServers());
    values.put("schema.registry.url", stack.registryUrl());
    values.put("ingest.http.host", "127.0.0.1");
    values.put("ingest.http.port", "0");
    try {
      values.put("ingest.state.dir", Files.createTempDirectory("ingest-state").toString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    values.putAll(overrides);
    return IngestConfig.from(Settings.of(values));
  }

  public static Topics topics(LocalStack stack) {
    return Topics.create(Map.of("schema.registry.url", stack.registryUrl()));
  }

  public static HttpResponse<String> postImage(int port, byte[] body, String contentType,
      String query) {
    HttpRequest.Builder request = HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + port + "/v1/images" + (query.isEmpty() ? "" : "?" + query)))
        .timeout(Duration.ofSeconds(30))
        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (contentType != null) {
      request.header("Content-Type", contentType);
    }
    return send(request.build());
  }

  public static HttpResponse<String> postJson(int port, String path, String json) {
    return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(30))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json)).build());
  }

  /** {@code POST /v1/images/batch} with these NDJSON lines. */
  public static HttpResponse<String> postBatch(int port, List<String> lines) {
    return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/images/batch"))
        .timeout(Duration.ofSeconds(30))
        .header("Content-Type", "application/x-ndjson")
        .POST(HttpRequest.BodyPublishers.ofString(String.join("\n", lines))).build());
  }

  /** One batch line: the image in base64, and its label when not null. */
  public static String batchLine(byte[] image, String label) {
    return "{\"image\":\"" + Base64.getEncoder().encodeToString(image) + "\""
        + (label == null ? "" : ",\"label\":\"" + label + "\"") + "}";
  }

  public static HttpResponse<String> get(int port, String path) {
    return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(30)).build());
  }

  public static HttpResponse<String> send(HttpRequest request) {
    try {
      return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
