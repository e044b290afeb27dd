package dev.spindle.ingest.join;

import dev.spindle.schemas.Topics;
import dev.spindle.schemas.DeadLetters;
import dev.spindle.schemas.avro.DeadLetter;
import dev.spindle.schemas.avro.Image;
import dev.spindle.schemas.avro.Label;
import dev.spindle.schemas.avro.LabeledImage;
import dev.spindle.schemas.serde.SchemaRegistryException;
import java.time.Instant;
import java.util.Objects;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The join's one processor; which input a record came from is told by its topic. */
final class LabelJoinProcessor implements Processor<String, byte[], String, Object> {
  private static final Logger log = LoggerFactory.getLogger(LabelJoinProcessor.class);

  private final Topics topics;
  private ProcessorContext<String, Object> context;
  private KeyValueStore<String, Image> images;
  private KeyValueStore<String, Label> labels;

  LabelJoinProcessor(Topics topics) {
    this.topics = topics;
  }

  @Override
  public void init(ProcessorContext<String, Object> context) {
    this.context = context;
    this.images = context.getStateStore(LabelJoinTopology.IMAGES_STORE);
    this.labels = context.getStateStore(LabelJoinTopology.LABELS_STORE);
  }

  @Override
  public void process(Record<String, byte[]> record) {
    RecordMetadata source = context.recordMetadata().orElseThrow();
    try {
      if (record.key() == null) {
        throw new IllegalArgumentException("record has no key (the image id)");
      }
      String topic = source.topic();
      if (topic.equals(topics.imagesUnlabeled().name())) {
        onImage(record, decode(topics.imagesUnlabeled().valueSerde(), source, record));
      } else if (topic.equals(topics.imagesLabeled().name())) {
        onLabeledImage(record, decode(topics.imagesLabeled().valueSerde(), source, record));
      } else {
        onLabel(record, decode(topics.labels().valueSerde(), source, record));
      }
    } catch (SchemaRegistryException e) {
      if (e.status() == -1 || e.status() >= 500) {
        throw e; // the registry is down, the record is fine: fail and retry, do not dead-letter
      }
      deadLetter(record, source, e);
    } catch (RuntimeException e) {
      deadLetter(record, source, e);
    }
  }

  /** A new image: remember it; if its label came first, emit the pair. */
  private void onImage(Record<String, byte[]> record, Image image) {
    images.put(record.key(), image);
    Label label = labels.get(record.key());
    if (label != null) {
      emit(record, image, label);
    }
  }

  /** An image that is already labeled (uploaded with one, or our own output): remember both. */
  private void onLabeledImage(Record<String, byte[]> record, LabeledImage labeled) {
    if (images.get(record.key()) == null) {
      images.put(record.key(), labeled.getImage());
    }
    Label current = labels.get(record.key());
    if (current == null || !current.getLabeledAt().isAfter(labeled.getLabeledAt())) {
      labels.put(record.key(), Label.newBuilder()
          .setImageId(record.key())
          .setLabel(labeled.getLabel())
          .setAnnotator(labeled.getAnnotator())
          .setLabeledAt(labeled.getLabeledAt())
          .build());
    }
  }

  /** A label: the newest wins; if its image is known and the label changed, emit the pair. */
  private void onLabel(Record<String, byte[]> record, Label label) {
    Label current = labels.get(record.key());
    if (current != null && current.getLabeledAt().isAfter(label.getLabeledAt())) {
      log.debug("ignoring label for {}: older than the one we have", record.key());
      return;
    }
    if (current != null && Objects.equals(current.getLabel(), label.getLabel())) {
      labels.put(record.key(), label);
      return;
    }
    labels.put(record.key(), label);
    Image image = images.get(record.key());
    if (image != null) {
      emit(record, image, label);
    }
  }

  private void emit(Record<String, byte[]> record, Image image, Label label) {
    LabeledImage out = LabeledImage.newBuilder()
        .setImage(image)
        .setLabel(label.getLabel())
        .setAnnotator(label.getAnnotator())
        .setLabeledAt(label.getLabeledAt())
        .build();
    context.forward(record.withValue((Object) out), LabelJoinTopology.LABELED_SINK);
  }

  private static <T> T decode(org.apache.kafka.common.serialization.Serde<T> serde,
      RecordMetadata source, Record<String, byte[]> record) {
    T value = serde.deserializer().deserialize(source.topic(), record.value());
    if (value == null) {
      throw new IllegalArgumentException("record has no value (tombstone)");
    }
    return value;
  }

  private void deadLetter(Record<String, byte[]> record, RecordMetadata source, Exception e) {
    log.warn("dead-lettering {}-{}@{}: {}", source.topic(), source.partition(), source.offset(),
        e.getMessage());
    DeadLetter letter = DeadLetters.letter(source.topic(), source.partition(), source.offset(),
        "ingest-service/label-join", record.key(), record.value(), e,
        Instant.ofEpochMilli(context.currentSystemTimeMs()));
    context.forward(record.withValue((Object) letter), LabelJoinTopology.DEAD_LETTER_SINK);
  }
}
