package dev.spindle.launcher;

import dev.spindle.ingest.loader.IdxFile;
import dev.spindle.ingest.loader.PngEncoder;
import dev.spindle.schemas.ImageIds;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Fashion-MNIST training images arriving as a camera or upload app would send them: PNG files
 * posted to ingest-service's {@code POST /v1/images} at a steady rate, the first few of each
 * class with their label, the rest unlabeled. A 503 (broker busy or down) is retried after
 * the {@code Retry-After} it names. It remembers each image's true class for the annotator.
 */
final class ImageStream implements AutoCloseable {
  private static final int IN_FLIGHT = 8;
  private static final int MAX_TRIES = 5;

  private final IdxFile images;
  private final IdxFile labels;
  private final int count;
  private final int labeledPerClass;
  private final double perSecond;
  private final URI endpoint;
  private final List<String> classNames;
  private final HttpClient http = HttpClient.newHttpClient();
  private final Semaphore inFlight = new Semaphore(IN_FLIGHT);
  private final Map<String, Integer> truth = new ConcurrentHashMap<>();
  private final Set<String> labeledOnUpload = ConcurrentHashMap.newKeySet();
  private final List<String> unlabeled = Collections.synchronizedList(new ArrayList<>());
  private final AtomicLong refused = new AtomicLong();
  private final Thread thread;
  private volatile boolean running = true;

  ImageStream(IdxFile images, IdxFile labels, int count, int labeledPerClass, double perSecond,
      URI ingest, List<String> classNames) {
    this.images = images;
    this.labels = labels;
    this.count = Math.min(count, images.count());
    this.labeledPerClass = labeledPerClass;
    this.perSecond = perSecond;
    this.endpoint = ingest.resolve("/v1/images");
    this.classNames = classNames;
    this.thread = new Thread(this::run, "demo-image-stream");
    thread.setDaemon(true);
  }

  ImageStream start() {
    thread.start();
    return this;
  }

  private void run() {
    int[] perClass = new int[classNames.size()];
    long started = System.nanoTime();
    for (int i = 0; i < count && running; i++) {
      long due = started + (long) (i * 1e9 / perSecond);
      LockSupport.parkNanos(due - System.nanoTime());
      byte[] png = PngEncoder.fromIdx(images, i);
      String id = ImageIds.of(png);
      int cls = labels.label(i);
      truth.put(id, cls);
      boolean withLabel = perClass[cls]++ < labeledPerClass;
      String query = withLabel
          ? "?source=demo&label=" + URLEncoder.encode(classNames.get(cls), StandardCharsets.UTF_8)
          : "?source=demo";
      inFlight.acquireUninterruptibly();
      upload(URI.create(endpoint + query), png, 1).whenComplete((ok, error) -> {
        inFlight.release();
        if (Boolean.TRUE.equals(ok)) {
          if (withLabel) {
            labeledOnUpload.add(id);
          } else {
            unlabeled.add(id);
          }
        } else {
          refused.incrementAndGet();
        }
      });
    }
    inFlight.acquireUninterruptibly(IN_FLIGHT);
  }

  private CompletableFuture<Boolean> upload(URI uri, byte[] png, int attempt) {
    HttpRequest request = HttpRequest.newBuilder(uri).header("Content-Type", "image/png")
        .POST(HttpRequest.BodyPublishers.ofByteArray(png)).build();
    return http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).thenCompose(response -> {
      if (response.statusCode() == 202) {
        return CompletableFuture.completedFuture(true);
      }
      if (response.statusCode() == 503 && attempt < MAX_TRIES) {
        long wait = response.headers().firstValueAsLong("Retry-After").orElse(1);
        return CompletableFuture.supplyAsync(() -> null,
                CompletableFuture.delayedExecutor(wait, TimeUnit.SECONDS))
            .thenCompose(x -> upload(uri, png, attempt + 1));
      }
      Console.step("ingest-service refused an image: " + response.statusCode() + " "
          + response.body());
      return CompletableFuture.completedFuture(false);
    });
  }

  /** The true class of a streamed image, -1 for one this stream did not send. */
  int truth(String imageId) {
    return truth.getOrDefault(imageId, -1);
  }

  boolean labeledOnUpload(String imageId) {
    return labeledOnUpload.contains(imageId);
  }

  int labeledOnUploadCount() {
    return labeledOnUpload.size();
  }

  /** A copy of the ids of the images acknowledged without a label, in arrival order. */
  List<String> unlabeledIds() {
    synchronized (unlabeled) {
      return new ArrayList<>(unlabeled);
    }
  }

  long refused() {
    return refused.get();
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    thread.join(10_000);
  }
}
