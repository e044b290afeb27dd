package dev.spindle.serving.stream;

import dev.spindle.schemas.AvroBytes;
import dev.spindle.model.UndecodableImageException;
import dev.spindle.schemas.Topics;
import dev.spindle.schemas.avro.ClassScore;
import dev.spindle.schemas.DeadLetters;
import dev.spindle.schemas.avro.DeadLetter;
import dev.spindle.schemas.avro.Image;
import dev.spindle.schemas.avro.LabelRequest;
import dev.spindle.schemas.avro.Prediction;
import dev.spindle.serving.holder.ModelHolder;
import dev.spindle.serving.holder.Scores;
import dev.spindle.serving.holder.ServedModel;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Buffers images (in memory for speed, and in a changelogged store for safety), predicts them
 * a batch at a time with the serving model, and forwards one {@code Prediction} per image.
 * With no model yet the images wait; nothing is invented. An unreadable record becomes a
 * dead letter with the reason, and the app goes on. The least sure predictions of each window
 * become label requests (see {@link LabelRequestPolicy}); requested ids are kept in a store, so
 * an image is requested once, for {@link #REMEMBER_REQUESTS}: each image comes once (ingest
 * deduplicates it; two instances given the same bytes at the same moment publish it twice
 * within seconds), and a store kept forever would grow by every request.
 */
final class PredictionProcessor implements Processor<String, byte[], String, Object> {
  private static final Logger log = LoggerFactory.getLogger(PredictionProcessor.class);
  private static final int MAX_BATCHES_PER_CALL = 4;
  static final Duration REMEMBER_REQUESTS = Duration.ofDays(7);

  private final Topics topics;
  private final ModelHolder holder;
  private final PredictionTopology.Batching batching;
  private final LabelRequestPolicy policy;
  private final java.util.function.Predicate<String> isLabeled;
  private final LabelRequestWindow window;
  private final PredictionListener listener;
  /** Buffered image ids, oldest first, with when each arrived (wall-clock ms; 0: restored). */
  private final LinkedHashMap<String, Long> pending = new LinkedHashMap<>();
  /** Pixels decoded when the record arrived (lost on restart: then decoded from the store). */
  private final java.util.Map<String, float[]> decoded = new java.util.HashMap<>();
  private ProcessorContext<String, Object> context;
  private KeyValueStore<String, byte[]> buffer;
  private KeyValueStore<String, Long> requested;

  PredictionProcessor(Topics topics, ModelHolder holder, PredictionTopology.Batching batching,
      LabelRequestPolicy policy, java.util.function.Predicate<String> isLabeled,
      PredictionListener listener) {
    this.listener = listener;
    this.topics = topics;
    this.holder = holder;
    this.batching = batching;
    this.policy = policy;
    this.isLabeled = isLabeled;
    this.window = new LabelRequestWindow(policy.enabled() ? policy.collected() : 0,
        policy.balanced());
  }

  @Override
  public void init(ProcessorContext<String, Object> context) {
    this.context = context;
    this.buffer = context.getStateStore(PredictionTopology.BUFFER_STORE);
    try (KeyValueIterator<String, byte[]> restored = buffer.all()) {
      restored.forEachRemaining(entry -> pending.put(entry.key, 0L));
    }
    if (!pending.isEmpty()) {
      log.info("{} buffered images restored; they are predicted next", pending.size());
    }
    context.schedule(Duration.ofMillis(Math.max(1, batching.lingerMs() / 2)),
        PunctuationType.WALL_CLOCK_TIME, this::flushIfLingered);
    this.requested = context.getStateStore(PredictionTopology.REQUESTED_STORE);
    if (policy.enabled()) {
      context.schedule(policy.window(), PunctuationType.WALL_CLOCK_TIME, this::requestLabels);
      context.schedule(Duration.ofHours(1), PunctuationType.WALL_CLOCK_TIME,
          this::forgetOldRequests);
    }
  }

  /** Drops the requested ids older than {@link #REMEMBER_REQUESTS}. */
  private void forgetOldRequests(long now) {
    List<String> old = new ArrayList<>();
    try (KeyValueIterator<String, Long> all = requested.all()) {
      all.forEachRemaining(entry -> {
        if (entry.value < now - REMEMBER_REQUESTS.toMillis()) {
          old.add(entry.key);
        }
      });
    }
    old.forEach(requested::delete);
    if (!old.isEmpty()) {
      log.debug("forgot {} label requests older than {}", old.size(), REMEMBER_REQUESTS);
    }
  }

  /**
   * Publishes the window's least sure images (not labeled, not requested before), or with
   * representatives on, one representative of each region of them.
   */
  private void requestLabels(long now) {
    Optional<ServedModel> model = holder.current();
    if (model.isEmpty()) {
      return; // nothing is offered before the first model
    }
    int size = model.get().preprocessor().shape().size();
    List<LabelRequestWindow.Candidate> unsure = window.drain().stream()
        .filter(c -> !isLabeled.test(c.imageId()) && requested.get(c.imageId()) == null)
        .filter(c -> c.pixels() == null || c.pixels().length == size) // not from another shape
        .toList();
    List<LabelRequestWindow.Candidate> chosen;
    boolean representative = policy.choosesRepresentatives(unsure.size());
    try {
      chosen = policy.choose(unsure, model.get()::features, now);
    } catch (RuntimeException e) {
      log.warn("choosing representative label requests failed, requesting the least sure: {}",
          e.toString());
      chosen = policy.leastSure(unsure);
      representative = false;
    }
    String reason = representative
        ? String.format("representative of a region of the %d least sure images of the last %s "
            + "by %s", unsure.size(), policy.window(), policy.measure())
        : String.format("among the %d least sure images of the last %s by %s",
            policy.perWindow(), policy.window(), policy.measure());
    for (LabelRequestWindow.Candidate c : chosen) {
      requested.put(c.imageId(), now);
      context.forward(new Record<>(c.imageId(), (Object) LabelRequest.newBuilder()
          .setImageId(c.imageId())
          .setUncertainty(c.uncertainty())
          .setMeasure(policy.measure())
          .setModelVersion(c.modelVersion())
          .setReason(reason)
          .setRequestedAt(Instant.ofEpochMilli(now))
          .build(), now), PredictionTopology.LABEL_REQUESTS_SINK);
      listener.labelRequested(c, now);
    }
  }

  @Override
  public void process(Record<String, byte[]> record) {
    try {
      Image image = readImage(record.value());
      Optional<ServedModel> model = holder.current();
      if (model.isPresent()) {
        decoded.put(record.key(), model.get().preprocessor().pixels(AvroBytes.toArray(image.getBytes())));
      }
    } catch (RuntimeException | UndecodableImageException e) {
      deadLetter(record, e);
      return;
    }
    buffer.put(record.key(), new PendingImage(record.timestamp(), record.value()).encode());
    pending.putIfAbsent(record.key(), context.currentSystemTimeMs());
    if (pending.size() >= batching.batchSize()) {
      flush();
    }
  }

  /**
   * Predicts what waits once the oldest image has waited the linger time. Flushing on every
   * tick instead cut the stream into batches of 5 images on average while a backlog was being
   * worked off: after each inference the tick was already due, with only the images read since
   * (an image costs a fraction in a batch of 64 of what it costs alone).
   */
  private void flushIfLingered(long now) {
    if (!pending.isEmpty() && now - pending.values().iterator().next() >= batching.lingerMs()) {
      flush();
    }
  }

  /**
   * Predicts waiting images a batch at a time, at most {@value #MAX_BATCHES_PER_CALL} batches
   * per call: a backlog (say, everything that arrived before the first model) is worked off
   * over several punctuations, so each transaction stays well inside the transaction timeout
   * and the thread keeps polling.
   */
  private void flush() {
    Optional<ServedModel> current = holder.current();
    for (int i = 0; i < MAX_BATCHES_PER_CALL && current.isPresent() && !pending.isEmpty(); i++) {
      predictBatch(current.get(), takeBatch());
    }
  }

  private List<KeyValue<String, PendingImage>> takeBatch() {
    List<KeyValue<String, PendingImage>> batch = new ArrayList<>(batching.batchSize());
    var it = pending.keySet().iterator();
    while (it.hasNext() && batch.size() < batching.batchSize()) {
      String key = it.next();
      it.remove();
      byte[] stored = buffer.get(key);
      if (stored != null) {
        batch.add(KeyValue.pair(key, PendingImage.decode(stored)));
      }
    }
    return batch;
  }

  private void predictBatch(ServedModel model, List<KeyValue<String, PendingImage>> batch) {
    List<KeyValue<String, PendingImage>> readable = new ArrayList<>(batch.size());
    List<float[]> pixels = new ArrayList<>(batch.size());
    int size = model.preprocessor().shape().size();
    for (KeyValue<String, PendingImage> entry : batch) {
      try {
        float[] cached = decoded.remove(entry.key);
        pixels.add(cached != null && cached.length == size ? cached
            : model.preprocessor().pixels(AvroBytes.toArray(readImage(entry.value.value()).getBytes())));
        readable.add(entry);
      } catch (RuntimeException | UndecodableImageException e) {
        // readable when buffered, not for this model (another input shape?): say so
        context.forward(new Record<>(entry.key, (Object) letter(topics.imagesUnlabeled().name(),
            -1, -1, entry.key, entry.value.value(), e), entry.value.timestamp()),
            PredictionTopology.DEAD_LETTERS_SINK);
        buffer.delete(entry.key);
      }
    }
    if (readable.isEmpty()) {
      return;
    }
    long started = System.nanoTime();
    float[][] probabilities = model.probabilities(pixels);
    listener.batchPredicted(pixels.size(), System.nanoTime() - started);
    for (int i = 0; i < readable.size(); i++) {
      KeyValue<String, PendingImage> entry = readable.get(i);
      Scores scores = Scores.of(probabilities[i], model.classNames(), batching.topK());
      listener.predicted(entry.key, pixels.get(i), scores, model.version());
      context.forward(new Record<>(entry.key, (Object) prediction(entry.key, scores, model),
          entry.value.timestamp()), PredictionTopology.PREDICTIONS_SINK);
      if (policy.enabled() && !isLabeled.test(entry.key) && requested.get(entry.key) == null) {
        window.offer(new LabelRequestWindow.Candidate(entry.key, policy.uncertainty(scores),
            model.version(), scores.label(), pixels.get(i)));
      }
      buffer.delete(entry.key);
    }
  }

  private Image readImage(byte[] value) {
    return topics.imagesUnlabeled().valueSerde().deserializer()
        .deserialize(topics.imagesUnlabeled().name(), value);
  }

  private static Prediction prediction(String imageId, Scores scores, ServedModel model) {
    List<ClassScore> top = scores.topK().stream()
        .map(s -> new ClassScore(s.label(), s.probability())).toList();
    return Prediction.newBuilder()
        .setImageId(imageId)
        .setLabel(scores.label())
        .setConfidence(scores.confidence())
        .setTopK(top)
        .setEntropy(scores.entropy())
        .setMargin(scores.margin())
        .setModelVersion(model.version())
        .setBackboneVersion(model.backboneVersion())
        .setPredictedAt(Instant.now())
        .build();
  }

  private void deadLetter(Record<String, byte[]> record, Exception e) {
    RecordMetadata source = context.recordMetadata().orElseThrow();
    log.warn("{}-{}@{} sent to dead-letters: {}", source.topic(), source.partition(),
        source.offset(), e.getMessage());
    context.forward(new Record<>(record.key(), (Object) letter(source.topic(), source.partition(),
        source.offset(), record.key(), record.value(), e), record.timestamp()),
        PredictionTopology.DEAD_LETTERS_SINK);
  }

  private static DeadLetter letter(String topic, int partition, long offset, String key,
      byte[] value, Exception e) {
    return DeadLetters.letter(topic, partition, offset, "serving-service/predictions", key, value,
        e, Instant.now());
  }

}
