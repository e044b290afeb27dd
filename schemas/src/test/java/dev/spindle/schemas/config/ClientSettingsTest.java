package dev.spindle.schemas.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.junit.jupiter.api.Test;

class ClientSettingsTest {
  private final ClientSettings clients = ClientSettings.from(Settings.of(Map.of(
      "kafka.bootstrap.servers", "broker:9092",
      "schema.registry.url", "http://registry:8081",
      "kafka.security.protocol", "SASL_SSL")));

  @Test
  void shouldMakeFollowersReadCommittedRecordsAndGoOnFromTheOldestLeftAfterRetention() {
    Map<String, Object> follower = clients.followerWith(Map.of(
        ConsumerConfig.CLIENT_ID_CONFIG, "spindle-test"));

    assertThat(follower)
        .containsEntry(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest")
        .containsEntry(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed")
        .containsEntry(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false)
        .containsEntry(ConsumerConfig.CLIENT_ID_CONFIG, "spindle-test")
        .containsEntry("security.protocol", "SASL_SSL")
        .containsEntry("bootstrap.servers", "broker:9092");
  }
}
