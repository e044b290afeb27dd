package dev.spindle.schemas.serde;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spindle.schemas.avro.Image;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

/** Wire-format checks that fail before any registry call. */
class AvroDeserializerTest {
  private final AvroDeserializer<Image> deserializer = new AvroDeserializer<>(Image.class);

  AvroDeserializerTest() {
    deserializer.configure(Map.of(AvroSerdeConfig.SCHEMA_REGISTRY_URL, "http://127.0.0.1:1"), false);
  }

  @Test
  void shouldRejectAnUnknownMagicByteNamingTheTopic() {
    assertThatThrownBy(() -> deserializer.deserialize("images.unlabeled",
        new byte[] {7, 0, 0, 0, 1, 2, 3}))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("magic byte 0x07")
        .hasMessageContaining("images.unlabeled");
  }

  @Test
  void shouldRejectARecordTooShortForTheHeader() {
    assertThatThrownBy(() -> deserializer.deserialize("labels", new byte[] {0, 1}))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("too short");
  }

  @Test
  void shouldNameTheRegistryUrlWhenTheRegistryIsDown() {
    assertThatThrownBy(() -> deserializer.deserialize("labels", new byte[] {0, 0, 0, 0, 42, 1}))
        .isInstanceOf(SchemaRegistryException.class)
        .hasMessageContaining("http://127.0.0.1:1")
        .hasMessageContaining("schema id 42");
  }

  @Test
  void shouldFailFastWithoutARegistryUrl() {
    assertThatThrownBy(() -> new AvroDeserializer<>(Image.class).configure(Map.of(), false))
        .hasMessageContaining("schema.registry.url");
  }
}
