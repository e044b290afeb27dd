package dev.spindle.trainer.publish;

import dev.spindle.schemas.DeadLetters;
import dev.spindle.schemas.Topics;
import dev.spindle.schemas.avro.ModelVersion;
import dev.spindle.schemas.config.ClientSettings;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The trainer's writes: {@code models} events and {@code dead-letters}, acks=all, idempotent,
 * each send waited for, so a model event that returns was durably published.
 */
public final class TrainerProducer implements AutoCloseable {
  private static final long SEND_TIMEOUT_S = 30;

  private final Topics topics;
  private final KafkaProducer<byte[], byte[]> producer;

  public TrainerProducer(ClientSettings clients, Topics topics) {
    this.topics = topics;
    this.producer = new KafkaProducer<>(clients.kafkaWith(Map.of(
        ProducerConfig.ACKS_CONFIG, "all",
        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
        ProducerConfig.CLIENT_ID_CONFIG, "spindle-trainer")),
        new ByteArraySerializer(), new ByteArraySerializer());
  }

  public void publishModel(ModelVersion event) {
    var topic = topics.models();
    send(new ProducerRecord<>(topic.name(),
        topic.keySerde().serializer().serialize(topic.name(), event.getModelName()),
        topic.valueSerde().serializer().serialize(topic.name(), event)));
  }

  public void deadLetter(ConsumerRecord<String, byte[]> record, String stage, Exception error) {
    send(DeadLetters.record(topics, record.key(), DeadLetters.letter(record.topic(),
        record.partition(), record.offset(), stage, record.key(), record.value(), error,
        Instant.now())));
  }

  private void send(ProducerRecord<byte[], byte[]> record) {
    try {
      producer.send(record).get(SEND_TIMEOUT_S, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while publishing to " + record.topic(), e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("could not publish to " + record.topic() + ": " + e, e);
    }
  }

  @Override
  public void close() {
    producer.close();
  }
}
