package dev.spindle.schemas;

import dev.spindle.schemas.avro.DeadLetter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one way a record becomes a {@code dead-letters} entry: where it came from, which stage
 * gave up on it and why, and its raw key and value. {@link #letter} builds one (Streams apps
 * forward it to their sink); an instance publishes them for plain consumers.
 */
public final class DeadLetters implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DeadLetters.class);

  private final Topics topics;
  private final String stage;
  private final KafkaProducer<byte[], byte[]> producer;

  /** A publisher for {@code stage} (e.g. "serving-service/models"), acks=all, idempotent. */
  public DeadLetters(Map<String, Object> kafka, Topics topics, String stage) {
    this.topics = topics;
    this.stage = stage;
    Map<String, Object> config = new java.util.HashMap<>(kafka);
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    this.producer = new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
  }

  public static DeadLetter letter(String topic, int partition, long offset, String stage,
      String key, byte[] value, Throwable error, Instant at) {
    return DeadLetter.newBuilder()
        .setSourceTopic(topic)
        .setSourcePartition(partition)
        .setSourceOffset(offset)
        .setStage(stage)
        .setError(String.valueOf(error.getMessage()))
        .setErrorClass(error.getClass().getName())
        .setKey(key == null ? null : ByteBuffer.wrap(key.getBytes(StandardCharsets.UTF_8)))
        .setValue(value == null ? null : ByteBuffer.wrap(value))
        .setFailedAt(at)
        .build();
  }

  /** The {@code dead-letters} record for a letter: keyed like the source record, Avro value. */
  public static ProducerRecord<byte[], byte[]> record(Topics topics, String key, DeadLetter letter) {
    var sink = topics.deadLetters();
    return new ProducerRecord<>(sink.name(),
        key == null ? null : key.getBytes(StandardCharsets.UTF_8),
        sink.valueSerde().serializer().serialize(sink.name(), letter));
  }

  /** Publishes the letter and waits for the broker (a dead letter is never silently lost). */
  public void publish(String topic, int partition, long offset, String key, byte[] value,
      Throwable error) {
    log.warn("{}-{}@{} sent to dead-letters by {}: {}", topic, partition, offset, stage,
        error.getMessage());
    DeadLetter letter = letter(topic, partition, offset, stage, key, value, error, Instant.now());
    try {
      producer.send(record(topics, key, letter)).get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("could not publish a dead letter for " + topic + "-"
          + partition + "@" + offset, e);
    }
  }

  @Override
  public void close() {
    producer.close();
  }
}
