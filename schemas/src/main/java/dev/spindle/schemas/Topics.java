package dev.spindle.schemas;

import dev.spindle.schemas.avro.DeadLetter;
import dev.spindle.schemas.avro.Image;
import dev.spindle.schemas.avro.Label;
import dev.spindle.schemas.avro.LabelRequest;
import dev.spindle.schemas.avro.LabeledImage;
import dev.spindle.schemas.avro.ModelVersion;
import dev.spindle.schemas.avro.Prediction;
import dev.spindle.schemas.serde.AvroSerde;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * The typed topic registry: every topic with its key and value serdes, built once from the
 * schema-registry settings and immutable afterwards. Keys are strings (image id or model
 * name); values are Avro records in the Confluent wire format.
 */
public final class Topics {
  private final Topic<String, Image> imagesUnlabeled;
  private final Topic<String, LabeledImage> imagesLabeled;
  private final Topic<String, Label> labels;
  private final Topic<String, ModelVersion> models;
  private final Topic<String, Prediction> predictions;
  private final Topic<String, LabelRequest> labelRequests;
  private final Topic<String, DeadLetter> deadLetters;

  private Topics(Map<String, ?> serdeConfig) {
    imagesUnlabeled = topic(TopicNames.IMAGES_UNLABELED, Image.class, serdeConfig);
    imagesLabeled = topic(TopicNames.IMAGES_LABELED, LabeledImage.class, serdeConfig);
    labels = topic(TopicNames.LABELS, Label.class, serdeConfig);
    models = topic(TopicNames.MODELS, ModelVersion.class, serdeConfig);
    predictions = topic(TopicNames.PREDICTIONS, Prediction.class, serdeConfig);
    labelRequests = topic(TopicNames.LABEL_REQUESTS, LabelRequest.class, serdeConfig);
    deadLetters = topic(TopicNames.DEAD_LETTERS, DeadLetter.class, serdeConfig);
  }

  /**
   * Builds the registry. {@code serdeConfig} needs at least {@code schema.registry.url};
   * see {@link dev.spindle.schemas.serde.AvroSerdeConfig} for the other keys.
   */
  public static Topics create(Map<String, ?> serdeConfig) {
    return new Topics(Map.copyOf(serdeConfig));
  }

  private static <V extends SpecificRecord> Topic<String, V> topic(
      String name, Class<V> type, Map<String, ?> serdeConfig) {
    Serde<V> valueSerde = new AvroSerde<>(type);
    valueSerde.configure(serdeConfig, false);
    return new Topic<>(name, Serdes.String(), valueSerde);
  }

  public Topic<String, Image> imagesUnlabeled() {
    return imagesUnlabeled;
  }

  public Topic<String, LabeledImage> imagesLabeled() {
    return imagesLabeled;
  }

  public Topic<String, Label> labels() {
    return labels;
  }

  public Topic<String, ModelVersion> models() {
    return models;
  }

  public Topic<String, Prediction> predictions() {
    return predictions;
  }

  public Topic<String, LabelRequest> labelRequests() {
    return labelRequests;
  }

  public Topic<String, DeadLetter> deadLetters() {
    return deadLetters;
  }
}
