package dev.spindle.serving.stream;

import dev.spindle.schemas.Topics;
import dev.spindle.serving.holder.ModelHolder;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/**
 * {@code images.unlabeled} -> {@code predictions}, micro-batched: records wait in a
 * changelogged buffer until {@code batchSize} are there or {@code lingerMs} passed, then one
 * batched inference answers them all. Records that cannot be read go to {@code dead-letters}.
 * The buffer is cached: the store and its changelog get what the buffer holds at each commit,
 * so an image put and predicted within one commit interval (most are) costs one tombstone
 * instead of a changelog record with the whole image and a tombstone (stream predictions/s
 * 2,724-2,921 -> 2,942-3,287 on 2 cores, {@code bin/spindle bench-serving --stream-only}).
 * A crash still loses nothing: the cache's contents commit in the same transaction as the
 * offsets, and an aborted transaction replays the input.
 * Values are read as raw bytes so that a poison record reaches the processor instead of
 * killing the app.
 */
public final class PredictionTopology {
  static final String SOURCE = "images";
  static final String PROCESSOR = "predict";
  static final String BUFFER_STORE = "pending-images";
  static final String PREDICTIONS_SINK = "predictions-sink";
  static final String DEAD_LETTERS_SINK = "dead-letters-sink";
  static final String LABEL_REQUESTS_SINK = "label-requests-sink";
  static final String REQUESTED_STORE = "requested-images";

  private PredictionTopology() {}

  /** At most {@code batchSize} images per inference, waiting at most {@code lingerMs}. */
  public record Batching(int batchSize, long lingerMs, int topK) {}

  public static Topology buildTopology(Topics topics, ModelHolder holder, Batching batching) {
    return buildTopology(topics, holder, batching, LabelRequestPolicy.OFF, id -> false,
        PredictionListener.NONE);
  }

  /**
   * The same, also publishing {@code label-requests} by {@code policy} ({@code isLabeled}
   * says which images already have a label: they are never requested), and handing every
   * predicted image to {@code listener} (the drift monitor's sample, the dashboard).
   */
  public static Topology buildTopology(Topics topics, ModelHolder holder, Batching batching,
      LabelRequestPolicy policy, java.util.function.Predicate<String> isLabeled,
      PredictionListener listener) {
    Topology topology = new Topology();
    topology.addSource(SOURCE, Serdes.String().deserializer(), Serdes.ByteArray().deserializer(),
        topics.imagesUnlabeled().name());
    topology.addProcessor(PROCESSOR,
        () -> new PredictionProcessor(topics, holder, batching, policy, isLabeled,
            listener), SOURCE);
    topology.addStateStore(Stores.keyValueStoreBuilder(
        Stores.persistentKeyValueStore(BUFFER_STORE), Serdes.String(), Serdes.ByteArray())
        .withCachingEnabled(), PROCESSOR);
    topology.addStateStore(Stores.keyValueStoreBuilder(
        Stores.persistentKeyValueStore(REQUESTED_STORE), Serdes.String(), Serdes.Long()),
        PROCESSOR);
    // one prediction per image; what cannot be read goes to dead-letters with the reason
    topology.addSink(PREDICTIONS_SINK, topics.predictions().name(),
        topics.predictions().keySerde().serializer(),
        topics.predictions().valueSerde().serializer(), PROCESSOR);
    topology.addSink(LABEL_REQUESTS_SINK, topics.labelRequests().name(),
        topics.labelRequests().keySerde().serializer(),
        topics.labelRequests().valueSerde().serializer(), PROCESSOR);
    topology.addSink(DEAD_LETTERS_SINK, topics.deadLetters().name(),
        Serdes.String().serializer(), topics.deadLetters().valueSerde().serializer(), PROCESSOR);
    return topology;
  }
}
