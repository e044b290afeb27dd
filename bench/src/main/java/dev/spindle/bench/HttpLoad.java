package dev.spindle.bench;

import dev.spindle.ingest.IngestConfig;
import dev.spindle.ingest.IngestService;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/** {@code clients} threads uploading disjoint shares of the images over HTTP. */
final class HttpLoad {
  private HttpLoad() {
  }

  static Rate run(IngestConfig config, List<byte[]> images, int clients) throws Exception {
    try (IngestService service = new IngestService(config).start()) {
      URI uri = URI.create("http://127.0.0.1:" + service.httpPort() + "/v1/images");
      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5)).build();
      AtomicLong accepted = new AtomicLong();
      AtomicLong refused = new AtomicLong();
      List<Thread> threads = new ArrayList<>();
      long started = System.nanoTime();
      for (int c = 0; c < clients; c++) {
        int client = c;
        Thread thread = new Thread(() -> {
          for (int i = client; i < images.size(); i += clients) {
            HttpRequest request = HttpRequest.newBuilder(uri).header("Content-Type", "image/png")
                .POST(HttpRequest.BodyPublishers.ofByteArray(images.get(i))).build();
            try {
              int status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
              (status == 202 ? accepted : refused).incrementAndGet();
            } catch (Exception e) {
              refused.incrementAndGet();
            }
          }
        }, "http-client-" + c);
        thread.start();
        threads.add(thread);
      }
      for (Thread thread : threads) {
        thread.join();
      }
      double seconds = (System.nanoTime() - started) / 1e9;
      System.err.printf("http: %d accepted, %d refused in %.2f s%n", accepted.get(),
          refused.get(), seconds);
      return new Rate(accepted.get(), seconds);
    }
  }
}
