package dev.spindle.trainer;

import dev.spindle.model.DataSplit;
import dev.spindle.schemas.ConsumerLag;
import dev.spindle.schemas.TopicNames;
import dev.spindle.schemas.TopicWait;
import dev.spindle.trainer.checkpoint.CheckpointState;
import dev.spindle.trainer.checkpoint.Checkpointer;
import dev.spindle.trainer.feed.FeedImage;
import dev.spindle.trainer.feed.ImageRecords;
import dev.spindle.trainer.feed.ReplayReservoir;
import dev.spindle.trainer.feed.UnusableRecordException;
import dev.spindle.trainer.learn.RotationPretrainer;
import dev.spindle.trainer.publish.TrainerProducer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pretraining loop, on one thread: reads both image topics from the checkpointed
 * positions, trains every image in at least one step (new images first, topped up from the
 * replay reservoir, which also keeps steps going when the stream is quiet), checkpoints every
 * K steps and at shutdown, and then commits the offsets the checkpoint covers. A record's
 * offset counts as done only after the step it was in; held-out and unusable records count
 * as done when their turn in the queue comes, so positions always advance in order.
 */
public final class TrainingLoop implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(TrainingLoop.class);
  private static final Duration IDLE_POLL = Duration.ofMillis(500);
  /** How often a paused loop checks whether it should stop. */
  private static final Duration PAUSE_CHECK = Duration.ofMillis(200);

  /** A queued record: an image to train on, or a record that only needs its offset passed. */
  private record Pending(TopicPartition source, long offset, float[] pixels) {}

  private final TrainerConfig config;
  private final Consumer<String, byte[]> consumer;
  private final ImageRecords records;
  private final RotationPretrainer pretrainer;
  private final ReplayReservoir reservoir;
  private final BackboneCheckpoints checkpoints;
  private final TrainerProducer producer;
  private final TransferCoordinator transfers;
  private final TrainerMetrics metrics;
  private final Deque<Pending> fresh = new ArrayDeque<>();
  private final Map<TopicPartition, Long> positions = new HashMap<>();
  private final List<float[]> holdout = new ArrayList<>();
  private volatile boolean running = true;
  private volatile boolean halted;
  /** Per partition: records below this offset were trained before a restart (replay only). */
  private final Map<TopicPartition, Long> trainedBeforeStart = new HashMap<>();
  private volatile Throwable failure;
  private volatile double lastPretextAccuracy = Double.NaN;
  /** When pretraining paused for the running transfer (System.nanoTime()), 0 when not. */
  private volatile long pausedSince;
  private volatile boolean following;
  /** Pretraining steps when the last transfer started; -1 before the first. */
  private long stepsAtLastTransfer = -1;

  public TrainingLoop(TrainerConfig config, Consumer<String, byte[]> consumer,
      ImageRecords records, RotationPretrainer pretrainer, Checkpointer checkpointer,
      TrainerProducer producer, TransferCoordinator transfers, TrainerMetrics metrics,
      CheckpointState restored) {
    this.config = config;
    this.consumer = consumer;
    this.records = records;
    this.pretrainer = pretrainer;
    this.reservoir = new ReplayReservoir(config.reservoirCapacity(), config.seed());
    this.producer = producer;
    this.transfers = transfers;
    this.metrics = metrics;
    if (restored != null) {
      restored.positions().forEach((key, offset) -> positions.put(parse(key), offset));
    }
    this.checkpoints = new BackboneCheckpoints(checkpointer, metrics, restored != null ? restored
        : BackboneCheckpoints.freshStart(pretrainer.steps(), transfers.lastModelVersion()));
  }

  @Override
  public void run() {
    try {
      if (!assignFromCheckpoint()) {
        return;
      }
      while (running) {
        if (config.transferExclusive() && transfers.isRunning()) {
          waitForTransfer();
          continue;
        }
        if (fresh.size() < 4 * config.batchImages()) {
          boolean idle = fresh.isEmpty() && reservoir.size() == 0;
          enqueue(consumer.poll(idle ? IDLE_POLL : Duration.ZERO));
          metrics.consumerLag.set(ConsumerLag.records(consumer.metrics()));
        }
        trainOneStep();
        if (transfers.takePublished()) {
          checkpoint(); // records the new model version and the labels it used
        }
        if (backboneReadyForTransfer() && transfers.due()) {
          stepsAtLastTransfer = pretrainer.steps();
          checkpoint();
          transfers.start(new TransferCoordinator.Backbone(pretrainer.snapshot(),
              backboneVersion()),
              config.recipe().propagation().enabled()
                  ? reservoir.distinct(config.propagationPool()) : List.of());
        }
      }
      if (!halted) {
        checkpoint();
        log.info("training loop stopped after {} steps; {}", pretrainer.steps(),
            backboneVersion() == 0 ? "nothing learned, no checkpoint" : "checkpoint v"
                + backboneVersion() + " covers them");
      }
    } catch (WakeupException e) {
      if (!halted) {
        failure = e;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException | Error e) {
      failure = e;
      log.error("training loop failed: {}", e.toString(), e);
    } finally {
      consumer.close();
    }
  }

  /**
   * Pretrained enough for a transfer: at least trainer.transfer.min.steps in all, and
   * trainer.transfer.steps.between since the last transfer started (pretraining waits while a
   * transfer runs, so without this labels arriving faster than transfers end would stop it).
   */
  private boolean backboneReadyForTransfer() {
    long steps = pretrainer.steps();
    boolean firstTransfer = stepsAtLastTransfer < 0;
    return steps >= config.transferMinSteps()
        && (firstTransfer || steps - stepsAtLastTransfer >= config.transferStepsBetween());
  }

  /**
   * Rotation pretraining yields the cores to a running transfer (trainer.transfer.exclusive):
   * both train with every core, and side by side they slow each other down. New images wait
   * in Kafka meanwhile; nothing is lost, only read later.
   */
  private void waitForTransfer() {
    if (pausedSince == 0) {
      pausedSince = System.nanoTime();
      metrics.pretrainingPaused.set(1);
      log.info("pretraining paused at step {} while the transfer runs", pretrainer.steps());
    }
    try {
      if (transfers.awaitIdle(PAUSE_CHECK)) {
        log.info("pretraining resumed after {} s", String.format("%.1f",
            (System.nanoTime() - pausedSince) / 1e9));
        pausedSince = 0;
        metrics.pretrainingPaused.set(0);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      running = false;
    }
  }

  /** Stops after the current step and writes a final checkpoint. */
  public void stop() {
    running = false;
  }

  /** Stops at once without a final checkpoint, as a kill would (for tests of resume). */
  public void halt() {
    halted = true;
    running = false;
    consumer.wakeup();
  }

  /** Whether pretraining is waiting for a running transfer. */
  public boolean paused() {
    return pausedSince != 0;
  }

  /** Whether it follows the image topics; false while it waits for ingest to create them. */
  public boolean following() {
    return following;
  }

  public Throwable failure() {
    return failure;
  }

  public long backboneVersion() {
    return checkpoints.newest().backboneVersion();
  }

  /** The newest checkpoint written or resumed from; version 0 before any. */
  public CheckpointState lastCheckpoint() {
    return checkpoints.newest();
  }

  /** Why the latest checkpoint could not be written (a full disk?); null when it was. */
  public String checkpointError() {
    return checkpoints.error();
  }

  public double pretextAccuracy() {
    return lastPretextAccuracy;
  }

  public long steps() {
    return pretrainer.steps();
  }

  /** Assigns the image topics at the checkpoint's offsets; false if stopped before they exist. */
  private boolean assignFromCheckpoint() throws InterruptedException {
    List<TopicPartition> partitions = TopicWait.partitions(consumer,
        List.of(TopicNames.IMAGES_UNLABELED, TopicNames.IMAGES_LABELED),
        TopicWait.whileRunning(() -> running));
    if (partitions.isEmpty()) {
      return false;
    }
    consumer.assign(partitions);
    following = true;
    Map<TopicPartition, Long> beginnings = consumer.beginningOffsets(partitions);
    int replayPerPartition = Math.max(1, config.reservoirCapacity() / partitions.size());
    for (TopicPartition partition : partitions) {
      Long next = positions.get(partition);
      if (next == null) {
        consumer.seekToBeginning(List.of(partition));
      } else {
        // re-read the records before the checkpoint into the reservoir (not trained as new),
        // so a restarted trainer keeps learning even if nothing new arrives
        trainedBeforeStart.put(partition, next);
        consumer.seek(partition, Math.max(beginnings.get(partition), next - replayPerPartition));
      }
    }
    log.info("pretraining from {} (backbone v{}, {} steps done)",
        positions.isEmpty() ? "the beginning of the image topics" : "checkpointed offsets " + positions,
        backboneVersion(), pretrainer.steps());
    return true;
  }

  private void enqueue(Iterable<ConsumerRecord<String, byte[]>> batch) {
    for (ConsumerRecord<String, byte[]> record : batch) {
      TopicPartition source = new TopicPartition(record.topic(), record.partition());
      boolean replayOnly = record.offset() < trainedBeforeStart.getOrDefault(source, 0L);
      if (!replayOnly) {
        metrics.imagesConsumed.labelValues(record.topic()).inc();
      }
      try {
        FeedImage image = records.decode(record);
        if (replayOnly) {
          refill(image);
          continue;
        }
        boolean holdOut = !image.isLabeled()
            && DataSplit.isHoldout(image.imageId(), config.holdoutPercent());
        if (holdOut) {
          if (holdout.size() < config.holdoutMax()) {
            holdout.add(image.pixels());
            metrics.holdoutSize.set(holdout.size());
          }
          fresh.add(new Pending(source, record.offset(), null));
        } else {
          fresh.add(new Pending(source, record.offset(), image.pixels()));
        }
      } catch (UnusableRecordException e) {
        if (replayOnly) {
          continue; // dead-lettered when it was first read
        }
        metrics.unusable.inc();
        log.warn("{}; sent to {}", e.getMessage(), TopicNames.DEAD_LETTERS);
        producer.deadLetter(record, "trainer-service/pretraining", e);
        fresh.add(new Pending(source, record.offset(), null));
      }
    }
  }

  private void refill(FeedImage image) {
    if (!image.isLabeled() && DataSplit.isHoldout(image.imageId(), config.holdoutPercent())) {
      if (holdout.size() < config.holdoutMax()) {
        holdout.add(image.pixels());
      }
    } else {
      reservoir.add(image.pixels());
    }
  }

  private void trainOneStep() {
    int batchSize = config.batchImages();
    List<Pending> taken = new ArrayList<>(batchSize);
    List<float[]> images = new ArrayList<>(batchSize);
    while (!fresh.isEmpty() && images.size() < batchSize) {
      Pending next = fresh.poll();
      taken.add(next);
      if (next.pixels() != null) {
        images.add(next.pixels());
      }
    }
    int newImages = images.size();
    if (newImages < batchSize) {
      images.addAll(reservoir.sample(batchSize - newImages));
    }
    if (!images.isEmpty()) {
      double loss = pretrainer.step(images);
      metrics.steps.inc();
      metrics.rotationLoss.set(loss);
    }
    for (Pending done : taken) {
      if (done.pixels() != null) {
        reservoir.add(done.pixels());
      }
      positions.put(done.source(), done.offset() + 1);
    }
    metrics.reservoirSize.set(reservoir.size());
    if (images.isEmpty()) {
      return;
    }
    long steps = pretrainer.steps();
    if (steps % config.evalEverySteps() == 0 && !holdout.isEmpty()) {
      lastPretextAccuracy = pretrainer.pretextAccuracy(holdout);
      metrics.pretextAccuracy.set(lastPretextAccuracy);
      log.info("step {}: rotation loss {}, pretext accuracy {} on {} held-out images, "
          + "reservoir {}", steps, String.format("%.3f", metrics.rotationLoss.get()),
          String.format("%.3f", lastPretextAccuracy), holdout.size(), reservoir.size());
    }
    if (steps % config.checkpointEverySteps() == 0) {
      checkpoint();
    }
  }

  /**
   * Writes a checkpoint (a new backbone version, unless nothing changed since the newest),
   * then commits the offsets it covers.
   */
  private void checkpoint() {
    Map<String, Long> covered = new HashMap<>();
    positions.forEach((tp, offset) -> covered.put(key(tp), offset));
    if (!checkpoints.write(pretrainer.steps(), covered, transfers, pretrainer)) {
      return;
    }
    Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
    positions.forEach((tp, offset) -> commit.put(tp, new OffsetAndMetadata(offset)));
    try {
      consumer.commitSync(commit);
    } catch (RuntimeException e) {
      // the checkpoint is what the trainer resumes from; the group offsets are for monitoring
      log.warn("committing offsets after checkpoint v{} failed: {}", backboneVersion(),
          e.toString());
    }
  }

  private static String key(TopicPartition tp) {
    return tp.topic() + "-" + tp.partition();
  }

  private static TopicPartition parse(String key) {
    int dash = key.lastIndexOf('-');
    return new TopicPartition(key.substring(0, dash), Integer.parseInt(key.substring(dash + 1)));
  }
}
