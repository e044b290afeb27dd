package dev.spindle.bench;

import dev.spindle.ingest.IngestConfig;
import dev.spindle.ingest.publish.RecordSender;
import dev.spindle.schemas.ImageIds;
import dev.spindle.schemas.Topics;
import dev.spindle.schemas.avro.Image;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The ceiling: a bare KafkaProducer with the bulk loader's producer settings sending the very
 * records ingest would write, serialized before the clock starts, to a topic of its own.
 */
final class CeilingProducer {
  static final String TOPIC = "bench.ceiling";

  private CeilingProducer() {
  }

  /** Creates the ceiling's topic; once, before the first {@link #run}. */
  static void createTopic(IngestConfig config) throws Exception {
    try (Admin admin = Admin.create(config.clients().kafkaWith(Map.of()))) {
      admin.createTopics(List.of(new NewTopic(TOPIC, config.partitions(),
          config.replicationFactor()))).all().get(30, TimeUnit.SECONDS);
    }
  }

  static Rate run(IngestConfig config, Topics topics, List<byte[]> pngs) throws Exception {
    List<ProducerRecord<String, byte[]>> records = new ArrayList<>(pngs.size());
    for (byte[] png : pngs) {
      String id = ImageIds.of(png);
      Image image = Image.newBuilder().setId(id).setBytes(ByteBuffer.wrap(png))
          .setMediaType("image/png").setWidth(28).setHeight(28).setSource("bench")
          .setIngestedAt(Instant.now()).build();
      records.add(new ProducerRecord<>(TOPIC, id,
          topics.imagesUnlabeled().valueSerde().serializer().serialize(TOPIC, image)));
    }
    AtomicLong failed = new AtomicLong();
    long started = System.nanoTime();
    CpuClock cpu = CpuClock.start();
    double seconds;
    CpuClock.CpuUse used;
    ProducerStats batching;
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
        RecordSender.producerConfig(config.clients(), config.publishTimeout(),
            config.bulkLinger()),
        new StringSerializer(), new ByteArraySerializer())) {
      for (ProducerRecord<String, byte[]> record : records) {
        producer.send(record, (metadata, error) -> {
          if (error != null) {
            failed.incrementAndGet();
          }
        });
      }
      producer.flush();
      // stopped with every record acknowledged, as the bulk loader's clock is, and while the
      // producer's network thread still lives, so its CPU is counted
      seconds = (System.nanoTime() - started) / 1e9;
      used = cpu.stop();
      batching = ProducerStats.of(producer.metrics());
    }
    if (failed.get() > 0) {
      throw new IllegalStateException(failed.get() + " ceiling records failed");
    }
    System.err.printf("ceiling: %d records in %.2f s%n", records.size(), seconds);
    return new Rate(records.size(), seconds, used, batching);
  }
}
