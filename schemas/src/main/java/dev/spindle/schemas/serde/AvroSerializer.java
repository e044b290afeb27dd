package dev.spindle.schemas.serde;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Writes Avro records in the Confluent wire format, registering the writer's schema under the
 * topic's subject (TopicNameStrategy) on first use and setting that subject's compatibility to
 * BACKWARD, so a later incompatible schema is refused by the registry.
 */
public final class AvroSerializer<T extends SpecificRecord> implements Serializer<T> {
  static final String COMPATIBILITY = "BACKWARD";

  private final Map<String, Integer> idsBySubject = new ConcurrentHashMap<>();
  private final Map<Schema, SpecificDatumWriter<T>> writers = new ConcurrentHashMap<>();
  /**
   * The size of the last record written: records of one topic are alike in size (an image's
   * bytes dominate), so the next buffer starts that large instead of doubling from 256 bytes.
   */
  private volatile int lastSize = 256;
  private SchemaRegistryClient registry;
  private AvroSerdeConfig config;
  private boolean isKey;

  @Override
  public void configure(Map<String, ?> configs, boolean isKey) {
    this.config = AvroSerdeConfig.from(configs);
    this.registry = new SchemaRegistryClient(config);
    this.isKey = isKey;
  }

  @Override
  public byte[] serialize(String topic, T record) {
    if (record == null) {
      return null;
    }
    if (registry == null) {
      throw new IllegalStateException("AvroSerializer used before configure()");
    }
    String subject = WireFormat.subject(topic, isKey);
    int id = schemaId(subject, record);
    try {
      int expected = lastSize;
      ByteArrayOutputStream out = new ByteArrayOutputStream(expected + expected / 8 + 16);
      out.write(WireFormat.MAGIC);
      out.write(ByteBuffer.allocate(4).putInt(id).array());
      BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
      writers.computeIfAbsent(record.getSchema(),
              schema -> new SpecificDatumWriter<>(schema, SpecificData.getForSchema(schema)))
          .write(record, encoder);
      encoder.flush();
      lastSize = out.size();
      return out.toByteArray();
    } catch (IOException | RuntimeException e) {
      throw new SerializationException("could not write a " + record.getSchema().getFullName()
          + " for topic " + topic + " (schema id " + id + "): " + e.getMessage(), e);
    }
  }

  /** The schema's id under {@code subject}: asked of the registry once per subject. */
  private int schemaId(String subject, T record) {
    return idsBySubject.computeIfAbsent(subject, s -> {
      if (!config.autoRegister()) {
        return registry.lookup(s, record.getSchema());
      }
      registry.setCompatibility(s, COMPATIBILITY);
      return registry.register(s, record.getSchema());
    });
  }
}
