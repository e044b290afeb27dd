package dev.spindle.schemas.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsTest {

  @Test
  void shouldLetEnvironmentVariablesOverrideTheFile(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("spindle.properties");
    Files.writeString(file, "ingest.http.port=9000\nkafka.bootstrap.servers=file:9092\n");

    Settings settings = Settings.load(Optional.of(file),
        Map.of("SPINDLE_KAFKA_BOOTSTRAP_SERVERS", "env:9092", "HOME", "/root"));

    assertThat(settings.getInt("ingest.http.port", 8080)).isEqualTo(9000);
    assertThat(settings.require("kafka.bootstrap.servers")).isEqualTo("env:9092");
  }

  @Test
  void shouldNameTheKeysOfItsNamespaceThatNothingRead() {
    Settings settings = Settings.of(Map.of(
        "ingest.http.port", "8080", "ingest.htpp.host", "typo", "kafka.linger.ms", "5",
        "trainer.seed", "7"));
    settings.getInt("ingest.http.port", 1);
    settings.withPrefix("kafka.");

    assertThat(settings.unreadKeys("ingest.")).containsExactly("ingest.htpp.host");
    assertThat(settings.unreadKeys("kafka.")).isEmpty();
    assertThat(settings.unreadKeys("trainer.")).containsExactly("trainer.seed");
    assertThat(settings.wasRead("kafka.linger.ms")).as("read under its prefix").isTrue();
    assertThat(settings.wasRead("ingest.htpp.host")).isFalse();
  }

  @Test
  void shouldFailFastNamingAMissingKeyAndItsVariable() {
    assertThatThrownBy(() -> Settings.of(Map.of()).require("schema.registry.url"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("schema.registry.url")
        .hasMessageContaining("SPINDLE_SCHEMA_REGISTRY_URL");
  }

  @Test
  void shouldPassAnyKafkaSettingThroughToClients() {
    ClientSettings clients = ClientSettings.from(Settings.of(Map.of(
        "kafka.bootstrap.servers", "b:9092",
        "kafka.security.protocol", "SASL_SSL",
        "schema.registry.url", "http://r:8081",
        "basic.auth.user.info", "u:p")));

    assertThat(clients.kafka()).containsEntry("security.protocol", "SASL_SSL")
        .containsEntry("bootstrap.servers", "b:9092");
    assertThat(clients.serde()).containsEntry("basic.auth.user.info", "u:p");
  }
}
