package dev.spindle.ingest.publish;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spindle.ingest.IngestConfig;
import dev.spindle.ingest.IngestFixture;
import dev.spindle.ingest.IngestMetrics;
import dev.spindle.ingest.IngestPipeline;
import dev.spindle.ingest.IngestService;
import dev.spindle.ingest.TestImages;
import dev.spindle.ingest.TopicReader;
import dev.spindle.ingest.validation.ImageValidator;
import dev.spindle.schemas.ImageIds;
import dev.spindle.schemas.Topics;
import dev.spindle.stack.LocalStack;
import dev.spindle.stack.LocalStackExtension;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A publish can fail after the broker wrote the record (a delivery timeout while the
 * acknowledgement was on its way, as when the broker stops mid-request): the client is told to
 * retry, and the retry must not write the image a second time.
 */
@Tag("integration")
@Timeout(120)
@ExtendWith(LocalStackExtension.class)
class LostAcknowledgementIntegrationTest {

  @Test
  void shouldNotWriteAnImageTwiceWhenTheRetriedPublishHadBeenWritten(LocalStack stack)
      throws Exception {
    IngestConfig config = IngestFixture.config(stack, Map.of());
    Topics topics = IngestFixture.topics(stack);
    AtomicBoolean loseNextAck = new AtomicBoolean(true);
    KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
        RecordSender.producerConfig(config.clients(), config.publishTimeout()),
        new StringSerializer(), new ByteArraySerializer()) {
      @Override
      public Future<RecordMetadata> send(ProducerRecord<String, byte[]> record, Callback callback) {
        // the record really goes to the broker; only the first acknowledgement is "lost"
        return super.send(record, (metadata, error) -> callback.onCompletion(metadata,
            error == null && loseNextAck.getAndSet(false)
                ? new TimeoutException("acknowledgement lost (injected)") : error));
      }
    };
    byte[] image = TestImages.png(4242);
    ImageUpload upload = new ImageUpload(image, Optional.of("image/png"), Optional.empty(),
        Optional.empty(), Optional.empty());
    IngestService.provisionTopics(config);
    SeenImages seen = SeenImages.follow(config.clients(),
        List.of(topics.imagesUnlabeled().name(), topics.imagesLabeled().name()));
    try (RecordSender sender = new RecordSender(producer);
        IngestPipeline pipeline = new IngestPipeline(new ImageValidator(config.limits()),
            config.labelNames(), topics, sender, seen, new IngestMetrics(), Clock.systemUTC())) {
      // (the pipeline closes the index)

      // the client retries the moment it hears of the failure (from the completing thread)
      AtomicReference<Throwable> firstFailure = new AtomicReference<>();
      CompletableFuture<IngestResult> retry = new CompletableFuture<>();
      pipeline.ingestImage(upload).whenComplete((first, error) -> {
        firstFailure.set(error);
        pipeline.ingestImage(upload).whenComplete((second, again) -> {
          if (again == null) {
            retry.complete(second);
          } else {
            retry.completeExceptionally(again);
          }
        });
      });
      IngestResult retried = retry.get(30, TimeUnit.SECONDS);

      assertThat(firstFailure.get()).hasRootCauseInstanceOf(TimeoutException.class)
          .satisfiesAnyOf(
              e -> assertThat(e).isInstanceOf(PublishUnavailableException.class),
              e -> assertThat(e).hasCauseInstanceOf(PublishUnavailableException.class));
      assertThat(retried.duplicate()).isTrue();
      List<String> written = TopicReader.readAll(stack, topics.imagesUnlabeled()).stream()
          .map(ConsumerRecord::key).filter(ImageIds.of(image)::equals).toList();
      assertThat(written).hasSize(1);
    }
  }
}
