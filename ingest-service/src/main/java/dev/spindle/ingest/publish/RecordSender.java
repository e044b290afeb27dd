package dev.spindle.ingest.publish;

import dev.spindle.schemas.Topic;
import dev.spindle.schemas.config.ClientSettings;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * One idempotent producer (acks=all) for every topic ingest writes. Values are serialized with
 * the topic's own serde before sending, so one producer serves all value types and a registry
 * failure shows up before anything is sent. Every wait is bounded by the publish timeout.
 */
public final class RecordSender implements AutoCloseable {
  private final Producer<String, byte[]> producer;

  RecordSender(Producer<String, byte[]> producer) {
    this.producer = producer;
  }

  /** A sender for uploads someone waits on: each record goes out as soon as it can. */
  public static RecordSender create(ClientSettings clients, Duration publishTimeout) {
    return forBulk(clients, publishTimeout, Duration.ZERO);   // a bulk sender that never waits
  }

  /**
   * A sender for bulk loads: the same guarantees, and batches held up to {@code linger} so they
   * fill. A loader keeps thousands of images in flight and no one waits on one of them; sent as
   * they came (linger 0), its requests carried 230-952 records against 1,091 in full ones, and
   * the broker spent ~1.4x the CPU per image on the extra requests (docs/measurements.md).
   */
  public static RecordSender forBulk(ClientSettings clients, Duration publishTimeout,
      Duration linger) {
    return new RecordSender(new KafkaProducer<>(producerConfig(clients, publishTimeout, linger),
        new StringSerializer(), new ByteArraySerializer()));
  }

  /**
   * The producer settings ingest's HTTP uploads use: tuning defaults, then any {@code kafka.*}
   * pass-through settings, then what the guarantees need (acks=all, idempotence) and the bounds
   * that make a dead broker a quick 503.
   */
  public static Map<String, Object> producerConfig(ClientSettings clients, Duration timeout) {
    return producerConfig(clients, timeout, Duration.ZERO);
  }

  /**
   * The same, holding batches up to {@code linger} unless a kafka.linger.ms key says else: the
   * bulk loader's settings, which the benchmark's bare producer uses too.
   */
  public static Map<String, Object> producerConfig(ClientSettings clients, Duration timeout,
      Duration linger) {
    long timeoutMs = timeout.toMillis();
    Map<String, Object> config = new HashMap<>(Map.of(
        ProducerConfig.LINGER_MS_CONFIG, (int) linger.toMillis(),
        ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024,
        ProducerConfig.CLIENT_ID_CONFIG, "spindle-ingest"));
    config.putAll(clients.kafka());
    config.putAll(Map.of(
        ProducerConfig.ACKS_CONFIG, "all",
        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
        ProducerConfig.MAX_BLOCK_MS_CONFIG, timeoutMs,
        ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeoutMs,
        ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) (3 * timeoutMs + 5)));
    return config;
  }

  /** Serializes and sends; the future completes when the broker acknowledged the record. */
  public <V> CompletableFuture<RecordMetadata> send(Topic<String, V> topic, String key, V value) {
    CompletableFuture<RecordMetadata> acked = new CompletableFuture<>();
    try {
      byte[] bytes = topic.valueSerde().serializer().serialize(topic.name(), value);
      producer.send(new ProducerRecord<>(topic.name(), key, bytes), (metadata, error) -> {
        if (error == null) {
          acked.complete(metadata);
        } else {
          acked.completeExceptionally(unavailable(topic, error));
        }
      });
    } catch (RuntimeException e) {
      acked.completeExceptionally(unavailable(topic, e));
    }
    return acked;
  }

  private static PublishUnavailableException unavailable(Topic<?, ?> topic, Throwable error) {
    return new PublishUnavailableException("could not publish to " + topic.name() + ": "
        + error.getMessage(), error);
  }

  /** The producer's own metrics (batching, request latency, buffer use). */
  public Map<MetricName, ? extends Metric> metrics() {
    return producer.metrics();
  }

  public void flush() {
    producer.flush();
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(10));
  }
}
