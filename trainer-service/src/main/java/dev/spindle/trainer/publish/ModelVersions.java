package dev.spindle.trainer.publish;

import dev.spindle.model.artifact.ModelStore;
import dev.spindle.schemas.TopicScan;
import dev.spindle.schemas.Topics;
import dev.spindle.schemas.avro.ModelVersion;
import dev.spindle.schemas.config.ClientSettings;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The newest version of a model anywhere it could be recorded: the {@code models} topic and
 * the model store's {@code v<N>} directories (an artifact may have been written by a trainer
 * that died before publishing it). The next version is one above all of them, so versions
 * never repeat or go back, across restarts and crashes.
 */
public final class ModelVersions {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(ModelVersions.class);

  private ModelVersions() {}

  public static long latest(ClientSettings clients, Topics topics, String modelName, Path store)
      throws IOException {
    return Math.max(latestOnTopic(clients, topics, modelName), latestInStore(store, modelName));
  }

  static long latestInStore(Path store, String modelName) throws IOException {
    List<Long> versions = new ModelStore(store).versions(modelName);
    return versions.isEmpty() ? 0 : versions.get(versions.size() - 1);
  }

  static long latestOnTopic(ClientSettings clients, Topics topics, String modelName) {
    var topic = topics.models();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(
        clients.followerWith(Map.of()), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      long[] latest = {0};
      TopicScan.readToEnd(consumer, List.of(topic.name()), record -> {
        if (record.value() == null) {
          return;
        }
        ModelVersion event;
        try {
          event = topic.valueSerde().deserializer().deserialize(topic.name(), record.value());
        } catch (RuntimeException e) {
          // serving dead-letters it; the trainer only needs the versions it can read
          log.warn("skipping unreadable {}-{}@{}: {}", record.topic(), record.partition(),
              record.offset(), e.getMessage());
          return;
        }
        if (event.getModelName().toString().equals(modelName)) {
          latest[0] = Math.max(latest[0], event.getVersion());
        }
      });
      return latest[0];
    }
  }
}
