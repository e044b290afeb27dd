package dev.spindle.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.spindle.ingest.IngestConfig;
import dev.spindle.ingest.IngestService;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An ingest-service and {@code clients} threads uploading disjoint shares of the images over
 * HTTP: one image per {@code POST /v1/images}, or {@code batchSize} per
 * {@code POST /v1/images/batch}. Request bodies are built before the clock starts, as a client
 * on another machine would have them ready.
 */
final class HttpLoad implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One request: its body, content type, and how many images it carries. */
  private record Upload(byte[] body, String contentType, int images) {
  }

  private final IngestService service;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();

  private HttpLoad(IngestService service) {
    this.service = service;
  }

  static HttpLoad start(IngestConfig config) {
    return new HttpLoad(new IngestService(config).start());
  }

  Rate single(List<byte[]> images, int clients) throws InterruptedException {
    List<Upload> uploads = images.stream().map(png -> new Upload(png, "image/png", 1)).toList();
    return run("/v1/images", uploads, clients);
  }

  Rate batched(List<byte[]> images, int clients, int batchSize) throws InterruptedException {
    List<Upload> uploads = new ArrayList<>();
    for (int from = 0; from < images.size(); from += batchSize) {
      List<byte[]> batch = images.subList(from, Math.min(images.size(), from + batchSize));
      StringBuilder body = new StringBuilder(batch.size() * 1024);
      for (byte[] png : batch) {
        body.append("{\"image\":\"").append(Base64.getEncoder().encodeToString(png))
            .append("\",\"source\":\"bench\"}\n");
      }
      uploads.add(new Upload(body.toString().getBytes(StandardCharsets.UTF_8),
          "application/x-ndjson", batch.size()));
    }
    return run("/v1/images/batch", uploads, clients);
  }

  private Rate run(String path, List<Upload> uploads, int clients) throws InterruptedException {
    URI uri = URI.create("http://127.0.0.1:" + service.httpPort() + path);
    AtomicLong accepted = new AtomicLong();
    AtomicLong refused = new AtomicLong();
    List<Thread> threads = new ArrayList<>();
    long started = System.nanoTime();
    CpuClock cpu = CpuClock.start();
    for (int c = 0; c < clients; c++) {
      int client = c;
      Thread thread = new Thread(() -> {
        for (int i = client; i < uploads.size(); i += clients) {
          Upload upload = uploads.get(i);
          long ok = send(uri, upload);
          accepted.addAndGet(ok);
          refused.addAndGet(upload.images() - ok);
        }
      }, "http-client-" + c);
      thread.start();
      threads.add(thread);
    }
    for (Thread thread : threads) {
      thread.join();
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    CpuClock.CpuUse used = cpu.stop();
    System.err.printf("http %s: %d accepted, %d refused in %.2f s%n", path, accepted.get(),
        refused.get(), seconds);
    return new Rate(accepted.get(), seconds, used, ProducerStats.NONE);
  }

  /** Images of {@code upload} the service accepted. */
  private long send(URI uri, Upload upload) {
    HttpRequest request = HttpRequest.newBuilder(uri).header("Content-Type", upload.contentType())
        .POST(HttpRequest.BodyPublishers.ofByteArray(upload.body())).build();
    try {
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      if (upload.images() == 1) {
        return response.statusCode() == 202 ? 1 : 0;
      }
      return JSON.readTree(response.body()).path("accepted").asLong(0);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 0;
    } catch (Exception e) {
      return 0;
    }
  }

  @Override
  public void close() {
    service.close();
  }
}
