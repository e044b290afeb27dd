package dev.spindle.schemas.serde;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads the Confluent wire format into {@code T}: the writer's schema is fetched from the
 * registry by the id in the header (once per id) and resolved against {@code T}'s schema, so
 * records written with an older compatible schema still read. The consumer adds partition and
 * offset to any exception thrown here.
 */
public final class AvroDeserializer<T extends SpecificRecord> implements Deserializer<T> {
  private final Class<T> type;
  private final Schema readerSchema;
  private final SpecificData model;
  private final Map<Integer, SpecificDatumReader<T>> readersBySchemaId = new ConcurrentHashMap<>();
  private SchemaRegistryClient registry;

  public AvroDeserializer(Class<T> type) {
    this.type = type;
    this.model = SpecificData.getForClass(type);
    this.readerSchema = model.getSchema(type);
  }

  @Override
  public void configure(Map<String, ?> configs, boolean isKey) {
    this.registry = new SchemaRegistryClient(AvroSerdeConfig.from(configs));
  }

  @Override
  public T deserialize(String topic, byte[] data) {
    if (data == null) {
      return null;
    }
    if (registry == null) {
      throw new IllegalStateException("AvroDeserializer used before configure()");
    }
    if (data.length < WireFormat.HEADER_BYTES) {
      throw new SerializationException("record on topic " + topic + " has " + data.length
          + " bytes: too short for the Confluent wire format (magic byte + 4-byte schema id)");
    }
    ByteBuffer buffer = ByteBuffer.wrap(data);
    byte magic = buffer.get();
    if (magic != WireFormat.MAGIC) {
      throw new SerializationException(String.format(
          "unknown magic byte 0x%02x on topic %s: not the Confluent wire format", magic, topic));
    }
    int schemaId = buffer.getInt();
    SpecificDatumReader<T> reader = readerFor(topic, schemaId);
    try {
      return reader.read(null, DecoderFactory.get().binaryDecoder(
          data, WireFormat.HEADER_BYTES, data.length - WireFormat.HEADER_BYTES, null));
    } catch (IOException | RuntimeException e) {
      throw new SerializationException("could not read a " + type.getSimpleName()
          + " from topic " + topic + " (schema id " + schemaId + "): " + e.getMessage(), e);
    }
  }

  private SpecificDatumReader<T> readerFor(String topic, int schemaId) {
    return readersBySchemaId.computeIfAbsent(schemaId, id -> {
      Schema writer;
      try {
        writer = registry.schemaById(id);
      } catch (SchemaRegistryException e) {
        throw new SchemaRegistryException("cannot read topic " + topic + ": schema id " + id
            + " not available from the registry (" + e.getMessage() + ")", e.status(), e);
      }
      return new SpecificDatumReader<>(writer, readerSchema, model);
    });
  }
}
