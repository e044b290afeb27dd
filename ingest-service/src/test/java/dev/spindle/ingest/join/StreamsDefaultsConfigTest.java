package dev.spindle.ingest.join;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spindle.schemas.config.ClientSettings;
import dev.spindle.schemas.config.StreamsDefaults;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

/** The keys {@link StreamsDefaults} spells out are the ones Kafka Streams reads. */
class StreamsDefaultsConfigTest {
  @Test
  void shouldConfigureAnExactlyOnceStreamsAppKafkaStreamsUnderstands() {
    ClientSettings clients = new ClientSettings(
        Map.of("bootstrap.servers", "127.0.0.1:9092"), Map.of());
    StreamsConfig config = new StreamsConfig(
        StreamsDefaults.exactlyOnce(clients, "spindle-test", Path.of("state")));

    assertThat(config.getString(StreamsConfig.APPLICATION_ID_CONFIG)).isEqualTo("spindle-test");
    assertThat(config.getString(StreamsConfig.PROCESSING_GUARANTEE_CONFIG))
        .isEqualTo(StreamsConfig.EXACTLY_ONCE_V2);
    assertThat(config.getString(StreamsConfig.STATE_DIR_CONFIG))
        .isEqualTo(Path.of("state").toAbsolutePath().toString());
    assertThat(config.getLong(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG)).isEqualTo(100L);
    assertThat(config.getBoolean(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG))
        .isTrue();
  }
}
