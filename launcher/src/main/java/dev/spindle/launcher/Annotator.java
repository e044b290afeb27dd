package dev.spindle.launcher;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * A simulated annotator: it reads {@code label-requests} as a labeling tool would, and when
 * asked for a round of labels it answers the newest requests first (Fashion-MNIST's true
 * labels stand in for a person), topping up with random streamed images when there are not
 * enough requests. Labels go to ingest-service's {@code POST /v1/labels}, like any client's.
 */
final class Annotator implements AutoCloseable {
  /** What one round sent. */
  record Round(int fromRequests, int random, long ackedAtNanos) {
    int total() {
      return fromRequests + random;
    }
  }

  private final ImageStream images;
  private final List<String> classNames;
  private final URI labelsEndpoint;
  private final HttpClient http = HttpClient.newHttpClient();
  private final Random random = new Random(7);
  private final Deque<String> requested = new ConcurrentLinkedDeque<>();
  private final Set<String> labeled = new LinkedHashSet<>();
  private final KafkaConsumer<String, byte[]> consumer;
  private final Thread reader;
  private final AtomicLong requestsRead = new AtomicLong();
  private volatile boolean running = true;

  Annotator(String bootstrapServers, String labelRequestsTopic, ImageStream images,
      List<String> classNames, URI ingest) {
    this.images = images;
    this.classNames = classNames;
    this.labelsEndpoint = ingest.resolve("/v1/labels");
    this.consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
        ConsumerConfig.GROUP_ID_CONFIG, "spindle-demo-annotator",
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
        new StringDeserializer(), new ByteArrayDeserializer());
    consumer.subscribe(List.of(labelRequestsTopic));
    this.reader = new Thread(this::readRequests, "annotator-label-requests");
    reader.setDaemon(true);
    reader.start();
  }

  private void readRequests() {
    try {
      while (running) {
        consumer.poll(Duration.ofMillis(500)).forEach(r -> {
          requested.addFirst(r.key());
          requestsRead.incrementAndGet();
        });
      }
    } catch (WakeupException stopping) {
      // closing
    } finally {
      consumer.close();
    }
  }

  /** Label requests read so far. */
  long requestsRead() {
    return requestsRead.get();
  }

  /**
   * Labels up to {@code count} images: requested ones not yet labeled (newest first), then
   * random streamed unlabeled ones. Returns once ingest-service acknowledged every label.
   */
  Round label(int count) throws Exception {
    List<String> chosen = new ArrayList<>();
    int fromRequests = 0;
    while (chosen.size() < count && !requested.isEmpty()) {
      String id = requested.pollFirst();
      if (id != null && images.truth(id) >= 0 && !images.labeledOnUpload(id) && labeled.add(id)) {
        chosen.add(id);
        fromRequests++;
      }
    }
    List<String> pool = images.unlabeledIds();
    for (int tries = 0; chosen.size() < count && tries < 20 * count && !pool.isEmpty(); tries++) {
      String id = pool.get(random.nextInt(pool.size()));
      if (labeled.add(id)) {
        chosen.add(id);
      }
    }
    for (String id : chosen) {
      send(id, classNames.get(images.truth(id)));
    }
    return new Round(fromRequests, chosen.size() - fromRequests, System.nanoTime());
  }

  private void send(String imageId, String label) throws Exception {
    String body = String.format(
        "{\"imageId\":\"%s\",\"label\":\"%s\",\"annotator\":\"demo-annotator\"}", imageId, label);
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(labelsEndpoint)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 202) {
      throw new IllegalStateException("ingest-service refused a label: "
          + response.statusCode() + " " + response.body());
    }
  }

  @Override
  public void close() throws InterruptedException {
    if (!running) {
      return;
    }
    running = false;
    consumer.wakeup();
    reader.join(5_000);
  }
}
