package dev.spindle.bench.serving;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/** {@code clients} threads POSTing images to /v1/predict until stopped, recording latencies. */
final class HttpClients implements AutoCloseable {
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final List<Thread> threads = new ArrayList<>();
  private final LatencyRecorder latencies;

  HttpClients(URI predict, List<byte[]> images, int clients, LatencyRecorder latencies) {
    this.latencies = latencies;
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    for (int c = 0; c < clients; c++) {
      int client = c;
      Thread thread = new Thread(() -> {
        int i = client;
        while (running.get()) {
          HttpRequest request = HttpRequest.newBuilder(predict)
              .POST(HttpRequest.BodyPublishers.ofByteArray(images.get(i % images.size()))).build();
          long started = System.nanoTime();
          try {
            HttpResponse<Void> response = http.send(request, HttpResponse.BodyHandlers.discarding());
            if (response.statusCode() == 200) {
              latencies.record(System.nanoTime() - started, serverNanos(response));
            } else {
              latencies.failed();
            }
          } catch (Exception e) {
            latencies.failed();
          }
          i += clients;
        }
      }, "bench-client-" + c);
      thread.start();
      threads.add(thread);
    }
  }

  /** The server's own time from {@code Server-Timing: predict;dur=<ms>}, -1 when absent. */
  static long serverNanos(HttpResponse<?> response) {
    return response.headers().firstValue("Server-Timing")
        .map(h -> h.replaceFirst(".*dur=", ""))
        .map(ms -> (long) (Double.parseDouble(ms) * 1e6))
        .orElse(-1L);
  }

  LatencyRecorder latencies() {
    return latencies;
  }

  @Override
  public void close() throws InterruptedException {
    running.set(false);
    for (Thread thread : threads) {
      thread.join();
    }
  }
}
