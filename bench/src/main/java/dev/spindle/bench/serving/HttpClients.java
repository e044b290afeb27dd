package dev.spindle.bench.serving;

import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code clients} threads POSTing images to /v1/predict until stopped, each on its own
 * blocking keep-alive connection, recording latencies (client-side and Server-Timing).
 */
final class HttpClients implements AutoCloseable {
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final List<Thread> threads = new ArrayList<>();
  private final LatencyRecorder latencies;

  HttpClients(URI predict, List<byte[]> images, int clients, LatencyRecorder latencies) {
    this.latencies = latencies;
    for (int c = 0; c < clients; c++) {
      int client = c;
      Thread thread = new Thread(() -> run(predict, images, client, clients), "bench-client-" + c);
      thread.start();
      threads.add(thread);
    }
  }

  /** One client: its own keep-alive connection, reopened after a failure. */
  private void run(URI predict, List<byte[]> images, int client, int clients) {
    KeepAliveConnection connection = null;
    for (int i = client; running.get(); i += clients) {
      long started = System.nanoTime();
      try {
        if (connection == null) {
          connection = new KeepAliveConnection(predict);
        }
        KeepAliveConnection.Answer answer = connection.post(images.get(i % images.size()));
        if (answer.status() == 200) {
          latencies.record(System.nanoTime() - started, serverNanos(answer.serverTiming()));
        } else {
          latencies.failed();
        }
      } catch (IOException | RuntimeException e) {
        latencies.failed();
        closeQuietly(connection);
        connection = null;
      }
    }
    closeQuietly(connection);
  }

  private static void closeQuietly(KeepAliveConnection connection) {
    if (connection != null) {
      try {
        connection.close();
      } catch (IOException ignored) {
        // closing a failed connection
      }
    }
  }

  /** The server's own time from {@code Server-Timing: predict;dur=<ms>}, -1 when absent. */
  static long serverNanos(String serverTiming) {
    return serverTiming == null ? -1
        : (long) (Double.parseDouble(serverTiming.replaceFirst(".*dur=", "")) * 1e6);
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
