package dev.spindle.ingest.join;

import dev.spindle.schemas.Topics;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/**
 * The late-label join: {@code labels} (last label wins) joined with the images seen on
 * {@code images.unlabeled} and {@code images.labeled}, emitting {@code images.labeled}.
 * Whichever of image and label comes first waits in a state store for the other; a relabel
 * emits a new record; an unchanged label emits nothing. Records that cannot be decoded go to
 * {@code dead-letters} with the reason. All input topics are keyed by image id and
 * co-partitioned.
 */
public final class LabelJoinTopology {
  static final String IMAGES_STORE = "join-images";
  static final String LABELS_STORE = "join-labels";
  static final String JOIN = "label-join";
  static final String LABELED_SINK = "to-images-labeled";
  static final String DEAD_LETTER_SINK = "to-dead-letters";

  private LabelJoinTopology() {
  }

  public static Topology buildTopology(Topics topics) {
    Topology topology = new Topology();
    // raw bytes in: decoding happens in the processor, so a poison record becomes a dead letter
    topology.addSource("images-unlabeled", Serdes.String().deserializer(),
        Serdes.ByteArray().deserializer(), topics.imagesUnlabeled().name());
    topology.addSource("images-labeled", Serdes.String().deserializer(),
        Serdes.ByteArray().deserializer(), topics.imagesLabeled().name());
    topology.addSource("labels", Serdes.String().deserializer(),
        Serdes.ByteArray().deserializer(), topics.labels().name());
    topology.addProcessor(JOIN, () -> new LabelJoinProcessor(topics),
        "images-unlabeled", "images-labeled", "labels");
    // images waiting for a label, and labels waiting for an image (or kept for relabels)
    topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(IMAGES_STORE),
        Serdes.String(), topics.imagesUnlabeled().valueSerde()), JOIN);
    topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(LABELS_STORE),
        Serdes.String(), topics.labels().valueSerde()), JOIN);
    topology.addSink(LABELED_SINK, topics.imagesLabeled().name(), Serdes.String().serializer(),
        topics.imagesLabeled().valueSerde().serializer(), JOIN);
    topology.addSink(DEAD_LETTER_SINK, topics.deadLetters().name(), Serdes.String().serializer(),
        topics.deadLetters().valueSerde().serializer(), JOIN);
    return topology;
  }
}
