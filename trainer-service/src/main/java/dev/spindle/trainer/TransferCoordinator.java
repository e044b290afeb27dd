package dev.spindle.trainer;

import dev.spindle.model.artifact.ModelManifest;
import dev.spindle.model.artifact.ModelStore;
import dev.spindle.model.artifact.StoredModel;
import dev.spindle.schemas.avro.ModelVersion;
import dev.spindle.trainer.feed.LabeledStore;
import dev.spindle.trainer.learn.Evaluation;
import dev.spindle.trainer.learn.TransferResult;
import dev.spindle.trainer.learn.TwoStageTransfer;
import dev.spindle.trainer.publish.TrainerProducer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs two-stage transfer when the trigger fires, one at a time, on its own thread and on a
 * snapshot of the backbone (pretraining may go on meanwhile, or wait: {@link #awaitIdle}).
 * Each run evaluates on the validation split, writes the artifact and publishes the
 * {@code models} event.
 */
public final class TransferCoordinator implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(TransferCoordinator.class);

  /** A checkpointed backbone to transfer from. */
  public record Backbone(MultiLayerNetwork rotationNet, long version) {}

  private final TrainerConfig config;
  private final LabeledStore labeled;
  private final ModelStore store;
  private final TrainerProducer producer;
  private final TrainerMetrics metrics;
  private final TransferTrigger trigger;
  private final Clock clock;
  private final AtomicLong lastModelVersion;
  private final AtomicBoolean running = new AtomicBoolean();
  private final AtomicBoolean published = new AtomicBoolean();
  /** Notified when a transfer ends. */
  private final Object idle = new Object();
  private final ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "spindle-transfer");
    t.setDaemon(true);
    return t;
  });
  private static final Duration RETRY_AFTER_FAILURE = Duration.ofMinutes(1);

  private volatile Instant lastTransfer;
  private volatile Instant lastFailure;

  public TransferCoordinator(TrainerConfig config, LabeledStore labeled, TrainerProducer producer,
      TrainerMetrics metrics, long lastModelVersion, Clock clock) {
    this.config = config;
    this.labeled = labeled;
    this.store = new ModelStore(config.modelStore());
    this.producer = producer;
    this.metrics = metrics;
    this.trigger = new TransferTrigger(
        config.transferEveryLabels(), config.transferEvery(), config.transferMinLabels());
    this.clock = clock;
    this.lastModelVersion = new AtomicLong(lastModelVersion);
    this.lastTransfer = clock.instant();
    metrics.modelVersion.set(lastModelVersion);
  }

  public long lastModelVersion() {
    return lastModelVersion.get();
  }

  public boolean isRunning() {
    return running.get();
  }

  /** Waits until no transfer is running, or at most {@code max}; true when none is. */
  public boolean awaitIdle(Duration max) throws InterruptedException {
    long deadline = System.nanoTime() + max.toNanos();
    synchronized (idle) {
      for (long left = max.toNanos(); running.get() && left > 0;
          left = deadline - System.nanoTime()) {
        TimeUnit.NANOSECONDS.timedWait(idle, left);
      }
      return !running.get();
    }
  }

  /** Whether a transfer should start now (and none is running). */
  public boolean due() {
    Instant now = clock.instant();
    boolean backingOff = lastFailure != null && now.isBefore(lastFailure.plus(RETRY_AFTER_FAILURE));
    if (running.get() || backingOff) {
      return false;
    }
    return trigger.shouldFire(labeled.newLabelsSinceTransfer(), labeled.size(), lastTransfer, now);
  }

  /** Starts a transfer from {@code backbone} in the background, without unlabeled images. */
  public void start(Backbone backbone) {
    start(backbone, List.of());
  }

  /**
   * Starts a transfer from {@code backbone} in the background; {@code unlabeled} (images the
   * caller no longer changes) feed label propagation when the recipe asks for it.
   */
  public void start(Backbone backbone, List<float[]> unlabeled) {
    if (!running.compareAndSet(false, true)) {
      return;
    }
    LabeledStore.Snapshot data = labeled.snapshot();
    lastTransfer = clock.instant();
    executor.execute(() -> {
      long started = System.nanoTime();
      try {
        publish(backbone, data, unlabeled);
        metrics.transfers.labelValues("published").inc();
      } catch (RuntimeException | java.io.IOException e) {
        metrics.transfers.labelValues("failed").inc();
        lastFailure = clock.instant();
        log.error("transfer from backbone v{} failed (retrying in {}): {}", backbone.version(),
            RETRY_AFTER_FAILURE, e.toString(), e);
      } finally {
        metrics.transferSeconds.observe((System.nanoTime() - started) / 1e9);
        synchronized (idle) {
          running.set(false);
          idle.notifyAll();
        }
      }
    });
  }

  private void publish(Backbone backbone, LabeledStore.Snapshot data, List<float[]> unlabeled)
      throws java.io.IOException {
    log.info("transfer starting: backbone v{}, {} train + {} validation labeled images, {} "
        + "unlabeled for label propagation", backbone.version(), data.train().size(),
        data.validation().size(), config.recipe().propagation().enabled() ? unlabeled.size() : 0);
    TwoStageTransfer trainer = new TwoStageTransfer(config.network(), config.classNames().size(),
        config.recipe(), TwoStageTransfer.Progress.NONE);
    TransferResult result = trainer.transfer(
        backbone.rotationNet(), data.train(), data.validation(), unlabeled);
    Map<String, Double> metricsOut = new LinkedHashMap<>();
    int[][] confusion = new int[config.classNames().size()][config.classNames().size()];
    if (result.validation() != null) {
      Evaluation validation = result.validation();
      metricsOut.putAll(validation.asMetrics(config.classNames()));
      metricsOut.put("stage1.accuracy", result.stage1().accuracy());
      confusion = validation.confusion();
    }
    metricsOut.put("stage2.epochs", (double) result.stage2Epochs());
    metricsOut.put("train.size", (double) data.train().size());
    long version = lastModelVersion.get() + 1;
    ModelManifest manifest = new ModelManifest(config.modelName(), version, backbone.version(),
        config.network().input().toString(), config.classNames(), config.network().cutBlock(),
        data.labelsUsed(), metricsOut, confusion, clock.instant(), null);
    StoredModel stored = store.write(result.network(), backbone.rotationNet(), manifest);
    producer.publishModel(ModelVersion.newBuilder()
        .setModelName(config.modelName())
        .setVersion(version)
        .setBackboneVersion(backbone.version())
        .setArtifactUri(stored.uri().toString())
        .setSha256(stored.sha256())
        .setMetrics(new LinkedHashMap<>(metricsOut))
        .setLabelsUsed(data.labelsUsed())
        .setCreatedAt(manifest.created())
        .build());
    lastModelVersion.set(version);
    labeled.markTransfer(data);
    published.set(true);
    metrics.modelVersion.set(version);
    metrics.modelAccuracy.set(metricsOut.getOrDefault("accuracy", Double.NaN));
    log.info("published model {} v{} (backbone v{}, {} labels): validation accuracy {}",
        config.modelName(), version, backbone.version(), data.labelsUsed(),
        metricsOut.getOrDefault("accuracy", Double.NaN));
    pruneStore();
  }

  /** Old artifacts go once a newer one is published; failing to delete them fails nothing. */
  private void pruneStore() {
    try {
      List<Long> pruned = store.prune(config.modelName(), config.modelStoreKeep());
      if (!pruned.isEmpty()) {
        log.info("deleted artifact(s) {} from the model store (trainer.model.store.keep = {})",
            pruned, config.modelStoreKeep());
      }
    } catch (java.io.IOException e) {
      log.warn("could not prune the model store {}: {}", store.root(), e.toString());
    }
  }

  /**
   * True once after each published model: the training loop then checkpoints, so a restart
   * knows the model exists and does not redo the transfer.
   */
  public boolean takePublished() {
    return published.getAndSet(false);
  }

  /** Label events the last completed transfer used (kept in checkpoints). */
  public long labelEventsAtLastTransfer() {
    return labeled.labelEventsAtLastTransfer();
  }

  /** Where in images.labeled the last completed transfer stood (kept in checkpoints). */
  public Map<Integer, Long> labeledPositionsAtLastTransfer() {
    return labeled.positionsAtLastTransfer();
  }

  @Override
  public void close() throws InterruptedException {
    executor.shutdown();
    if (!executor.awaitTermination(10, TimeUnit.MINUTES)) {
      log.warn("a transfer was still running at shutdown; it is abandoned");
      executor.shutdownNow();
    }
  }
}
