package dev.spindle.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spindle.schemas.avro.Label;
import dev.spindle.stack.LocalStack;
import dev.spindle.stack.LocalStackExtension;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

@Tag("integration")
@Timeout(120)
@ExtendWith(LocalStackExtension.class)
class AvroSerdeIntegrationTest {
  private static final Label LABEL = Label.newBuilder().setImageId("a".repeat(64))
      .setLabel("Bag").setAnnotator("alice").setLabeledAt(Instant.ofEpochMilli(1_700_000_000_000L))
      .build();

  @Test
  void shouldRoundTripInTheConfluentWireFormatUnderTheTopicNameSubject(LocalStack stack) {
    AvroSerde<Label> serde = serde(stack);

    byte[] bytes = serde.serializer().serialize("serde-test-1", LABEL);

    ByteBuffer header = ByteBuffer.wrap(bytes);
    assertThat(header.get()).isZero();
    int id = header.getInt();
    SchemaRegistryClient registry = client(stack);
    assertThat(registry.schemaById(id)).isEqualTo(Label.getClassSchema());
    assertThat(registry.register("serde-test-1-value", Label.getClassSchema())).isEqualTo(id);
    assertThat(registry.compatibility("serde-test-1-value")).isEqualTo("BACKWARD");
    assertThat(serde.deserializer().deserialize("serde-test-1", bytes)).isEqualTo(LABEL);
  }

  @Test
  void shouldReadDataWrittenWithAnOlderCompatibleSchema(LocalStack stack) throws Exception {
    Schema older = SchemaBuilder.record("Label").namespace("dev.spindle.schemas.avro").fields()
        .requiredString("imageId").requiredString("label")
        .name("labeledAt").type(org.apache.avro.LogicalTypes.timestampMillis()
            .addToSchema(Schema.create(Schema.Type.LONG))).noDefault()
        .endRecord();
    int id = client(stack).register("serde-test-2-value", older);
    org.apache.avro.generic.GenericRecord record = new org.apache.avro.generic.GenericData.Record(older);
    record.put("imageId", "b".repeat(64));
    record.put("label", "Coat");
    record.put("labeledAt", 1_700_000_000_000L);
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    out.write(0);
    out.write(ByteBuffer.allocate(4).putInt(id).array());
    org.apache.avro.io.BinaryEncoder encoder =
        org.apache.avro.io.EncoderFactory.get().binaryEncoder(out, null);
    new org.apache.avro.generic.GenericDatumWriter<>(older).write(record, encoder);
    encoder.flush();

    Label read = serde(stack).deserializer().deserialize("serde-test-2", out.toByteArray());

    assertThat(read.getLabel()).isEqualTo("Coat");
    assertThat(read.getAnnotator()).isNull();
  }

  @Test
  void shouldRefuseAnIncompatibleSchemaChange(LocalStack stack) {
    serde(stack).serializer().serialize("serde-test-3", LABEL);
    Schema incompatible = SchemaBuilder.record("Label").namespace("dev.spindle.schemas.avro")
        .fields().requiredString("imageId").requiredInt("newRequiredField").endRecord();

    assertThatThrownBy(() -> client(stack).register("serde-test-3-value", incompatible))
        .isInstanceOfSatisfying(SchemaRegistryException.class,
            e -> assertThat(e.status()).isEqualTo(409));
  }

  @Test
  void shouldLetServicesFirstWritingToOneTopicAllSetItsCompatibility(LocalStack stack)
      throws Exception {
    // Each service's first record on a topic sets the subject's compatibility: several at once
    // (serving's threads writing their first dead letters) must all succeed.
    for (int subject = 0; subject < 5; subject++) {
      String name = "serde-test-race-" + subject + "-value";
      List<Callable<Void>> writers = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        writers.add(() -> {
          client(stack).setCompatibility(name, "BACKWARD");
          return null;
        });
      }
      ExecutorService pool = Executors.newFixedThreadPool(writers.size());
      try {
        for (Future<Void> done : pool.invokeAll(writers)) {
          done.get();
        }
      } finally {
        pool.shutdown();
      }
      assertThat(client(stack).compatibility(name)).isEqualTo("BACKWARD");
    }
  }

  @Test
  void shouldNameTopicAndIdForAnUnknownSchemaId(LocalStack stack) {
    assertThatThrownBy(() -> serde(stack).deserializer()
        .deserialize("serde-test-4", new byte[] {0, 0, 0, 0x7F, 0x7F, 1}))
        .isInstanceOf(SchemaRegistryException.class)
        .hasMessageContaining("serde-test-4")
        .hasMessageContaining("schema id " + 0x7F7F);
  }

  private static AvroSerde<Label> serde(LocalStack stack) {
    AvroSerde<Label> serde = new AvroSerde<>(Label.class);
    serde.configure(Map.of(AvroSerdeConfig.SCHEMA_REGISTRY_URL, stack.registryUrl()), false);
    return serde;
  }

  private static SchemaRegistryClient client(LocalStack stack) {
    return new SchemaRegistryClient(AvroSerdeConfig.from(
        Map.of(AvroSerdeConfig.SCHEMA_REGISTRY_URL, stack.registryUrl())));
  }
}
