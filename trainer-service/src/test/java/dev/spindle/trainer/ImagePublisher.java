package dev.spindle.trainer;

import dev.spindle.schemas.ImageIds;
import dev.spindle.schemas.ClassNames;
import dev.spindle.schemas.Topic;
import dev.spindle.schemas.Topics;
import dev.spindle.schemas.avro.Image;
import dev.spindle.schemas.avro.LabeledImage;
import dev.spindle.stack.LocalStack;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Publishes images to the image topics as ingest-service does (the Avro contract). */
final class ImagePublisher {
  private ImagePublisher() {}

  static void publish(LocalStack stack, Topics topics, List<FashionMnistSample.Item> unlabeled,
      List<FashionMnistSample.Item> labeled) throws Exception {
    try (KafkaProducer<String, Image> images = producer(stack, topics.imagesUnlabeled());
        KafkaProducer<String, LabeledImage> labeledImages =
            producer(stack, topics.imagesLabeled())) {
      for (FashionMnistSample.Item item : unlabeled) {
        Image image = image(item.png());
        images.send(new ProducerRecord<>(topics.imagesUnlabeled().name(), image.getId(), image));
      }
      for (FashionMnistSample.Item item : labeled) {
        Image image = image(item.png());
        LabeledImage value = LabeledImage.newBuilder().setImage(image)
            .setLabel(ClassNames.FASHION_MNIST.get(item.label())).setAnnotator("test")
            .setLabeledAt(Instant.now()).build();
        labeledImages.send(new ProducerRecord<>(topics.imagesLabeled().name(), image.getId(), value));
      }
      images.flush();
      labeledImages.flush();
    }
  }

  private static <V> KafkaProducer<String, V> producer(LocalStack stack, Topic<String, V> topic) {
    return new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
        ProducerConfig.ACKS_CONFIG, "all"),
        topic.keySerde().serializer(), topic.valueSerde().serializer());
  }

  private static Image image(byte[] png) throws Exception {
    String id = ImageIds.of(png);
    return Image.newBuilder().setId(id).setBytes(ByteBuffer.wrap(png)).setMediaType("image/png")
        .setWidth(28).setHeight(28).setSource("test").setIngestedAt(Instant.now()).build();
  }
}
