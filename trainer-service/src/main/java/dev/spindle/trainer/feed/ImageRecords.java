package dev.spindle.trainer.feed;

import dev.spindle.schemas.AvroBytes;
import dev.spindle.model.ImagePreprocessor;
import dev.spindle.model.UndecodableImageException;
import dev.spindle.schemas.TopicNames;
import dev.spindle.schemas.Topics;
import dev.spindle.schemas.avro.Image;
import dev.spindle.schemas.avro.LabeledImage;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * Turns raw image records (either image topic) into {@link FeedImage}s: Avro through the
 * registry, then the shared preprocessor. Anything that fails says why.
 */
public final class ImageRecords {
  private final Topics topics;
  private final ImagePreprocessor preprocessor;
  private final List<String> classNames;

  public ImageRecords(Topics topics, ImagePreprocessor preprocessor, List<String> classNames) {
    this.topics = topics;
    this.preprocessor = preprocessor;
    this.classNames = List.copyOf(classNames);
  }

  public FeedImage decode(ConsumerRecord<String, byte[]> record) throws UnusableRecordException {
    TopicPartition source = new TopicPartition(record.topic(), record.partition());
    try {
      Image image;
      int label = -1;
      if (record.topic().equals(TopicNames.IMAGES_LABELED)) {
        LabeledImage labeled = topics.imagesLabeled().valueSerde().deserializer()
            .deserialize(record.topic(), record.value());
        image = labeled.getImage();
        label = classNames.indexOf(labeled.getLabel());
        if (label < 0) {
          throw new UnusableRecordException("label '" + labeled.getLabel()
              + "' is not one of the configured classes " + classNames, null);
        }
      } else {
        image = topics.imagesUnlabeled().valueSerde().deserializer()
            .deserialize(record.topic(), record.value());
      }
      float[] pixels = preprocessor.pixels(AvroBytes.toArray(image.getBytes()));
      return new FeedImage(source, record.offset(), image.getId(), pixels, label);
    } catch (UndecodableImageException e) {
      throw new UnusableRecordException("image " + record.key() + " at " + source + "@"
          + record.offset() + " is undecodable: " + e.getMessage(), e);
    } catch (RuntimeException e) {
      throw new UnusableRecordException("record at " + source + "@" + record.offset()
          + " could not be deserialized: " + e.getMessage(), e);
    }
  }

}
