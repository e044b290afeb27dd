package dev.spindle.ingest.publish;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spindle.ingest.IngestConfig;
import dev.spindle.schemas.config.Settings;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.Test;

class RecordSenderSettingsTest {
  private static IngestConfig config(Map<String, String> extra) {
    Map<String, String> settings = new HashMap<>(Map.of(
        "kafka.bootstrap.servers", "broker:9092",
        "schema.registry.url", "http://registry:8081"));
    settings.putAll(extra);
    return IngestConfig.from(Settings.of(settings));
  }

  @Test
  void shouldSendUploadsAtOnceAndHoldBulkBatches25MillisecondsToFillThem() {
    IngestConfig config = config(Map.of());

    assertThat(config.bulkLinger()).isEqualTo(Duration.ofMillis(25));
    assertThat(RecordSender.producerConfig(config.clients(), config.publishTimeout()))
        .containsEntry(ProducerConfig.LINGER_MS_CONFIG, 0)
        .containsEntry(ProducerConfig.ACKS_CONFIG, "all")
        .containsEntry(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    assertThat(RecordSender.producerConfig(config.clients(), config.publishTimeout(),
        config.bulkLinger()))
        .containsEntry(ProducerConfig.LINGER_MS_CONFIG, 25)
        .containsEntry(ProducerConfig.ACKS_CONFIG, "all")
        .containsEntry(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
  }

  @Test
  void shouldLetTheBulkLingerBeSetAndAKafkaLingerKeyOverrideBoth() {
    IngestConfig bulk = config(Map.of("ingest.bulk.linger.ms", "100"));
    IngestConfig passThrough = config(Map.of("kafka.linger.ms", "5"));

    assertThat(RecordSender.producerConfig(bulk.clients(), bulk.publishTimeout(),
        bulk.bulkLinger())).containsEntry(ProducerConfig.LINGER_MS_CONFIG, 100);
    assertThat(RecordSender.producerConfig(passThrough.clients(), passThrough.publishTimeout(),
        passThrough.bulkLinger())).containsEntry(ProducerConfig.LINGER_MS_CONFIG, "5");
    assertThat(RecordSender.producerConfig(passThrough.clients(), passThrough.publishTimeout()))
        .containsEntry(ProducerConfig.LINGER_MS_CONFIG, "5");
  }
}
