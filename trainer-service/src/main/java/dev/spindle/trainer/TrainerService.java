package dev.spindle.trainer;

import dev.spindle.model.ImagePreprocessor;
import dev.spindle.model.runtime.Dl4jRuntime;
import dev.spindle.schemas.Topics;
import dev.spindle.trainer.checkpoint.CheckpointState;
import dev.spindle.trainer.checkpoint.Checkpointer;
import dev.spindle.trainer.feed.ImageRecords;
import dev.spindle.trainer.feed.LabeledFeed;
import dev.spindle.trainer.feed.LabeledStore;
import dev.spindle.trainer.http.TrainerHttpServer;
import dev.spindle.trainer.learn.RotationPretrainer;
import dev.spindle.trainer.learn.TransferRecipe;
import dev.spindle.trainer.publish.ModelVersions;
import dev.spindle.trainer.publish.TrainerProducer;
import java.io.IOException;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * trainer-service as a whole: restores the latest checkpoint (or starts fresh), rebuilds the
 * labeled store from {@code images.labeled}, then pretrains continuously and runs transfers
 * when the trigger fires, serving {@code /healthz} and {@code /metrics}, until closed.
 */
public final class TrainerService implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(TrainerService.class);

  private final TrainerConfig config;
  private final TrainerMetrics metrics = new TrainerMetrics();
  private TrainerProducer producer;
  private TransferCoordinator transfers;
  private LabeledFeed labeledFeed;
  private LabeledStore labeledStore;
  private TrainingLoop loop;
  private Thread loopThread;
  private Thread labeledThread;
  private TrainerHttpServer http;

  public TrainerService(TrainerConfig config) {
    this.config = config;
  }

  /**
   * Whether a checkpointed network has the layers this version builds. One written by an older
   * layout (e.g. before the ReLU layers) cannot feed today's classifiers: pretraining restarts
   * from scratch, keeping the checkpoint's positions and versions (the replay buffer is refilled
   * from the records before it).
   */
  private static boolean sameLayout(Checkpointer.Restored restored, RotationPretrainer fresh) {
    List<String> layers = restored.rotationNet().getLayerNames();
    boolean same = fresh.withNetwork(net -> net.getLayerNames().equals(layers)
        && net.numParams() == restored.rotationNet().numParams());
    if (!same) {
      log.warn("checkpoint v{} holds a network with another layout {}: pretraining restarts from "
          + "scratch (positions and versions are kept)", restored.state().backboneVersion(), layers);
    }
    return same;
  }

  public TrainerService start() throws IOException {
    Dl4jRuntime.init();
    Topics topics = Topics.create(config.clients().serde());
    Checkpointer checkpointer = new Checkpointer(config.checkpointDir());
    Optional<Checkpointer.Restored> restored = checkpointer.restore();
    RotationPretrainer fresh = new RotationPretrainer(config.network(), config.learningRate(),
        config.seed(), config.pretrainCutout(), new Random(config.seed()));
    // a resumed run draws other cutout squares than the run it resumes: its steps in the seed
    RotationPretrainer pretrainer = restored
        .filter(r -> sameLayout(r, fresh))
        .map(r -> new RotationPretrainer(config.network(), r.rotationNet(), r.state().steps(),
            config.pretrainCutout(), new Random(config.seed() * 31 + r.state().steps())))
        .orElse(fresh);
    CheckpointState state = restored.map(Checkpointer.Restored::state).orElse(null);
    restored.ifPresentOrElse(
        r -> log.info("resuming from checkpoint v{} ({} steps) in {}", r.state().backboneVersion(),
            r.state().steps(), checkpointer.dir()),
        () -> log.info("no checkpoint in {}: pretraining starts from scratch", checkpointer.dir()));

    long lastVersion = Math.max(state == null ? 0 : state.lastModelVersion(),
        ModelVersions.latest(config.clients(), topics, config.modelName(), config.modelStore()));
    ImageRecords records = new ImageRecords(topics,
        new ImagePreprocessor(config.network().input()), config.classNames());
    labeledStore = new LabeledStore(config.network().input(), config.validationPercent());
    if (state != null) {
      labeledStore.restoreMark(state.labelEventsAtLastTransfer(),
          state.labeledPositionsAtLastTransfer());
    }
    producer = new TrainerProducer(config.clients(), topics);
    transfers = new TransferCoordinator(config, labeledStore, producer, metrics, lastVersion,
        Clock.systemUTC());

    labeledFeed = new LabeledFeed(consumer("labeled-store"), records, labeledStore);
    labeledThread = new Thread(labeledFeed, "spindle-labeled-feed");
    labeledThread.setDaemon(true);
    labeledThread.start();

    loop = new TrainingLoop(config, consumer("pretraining"), records, pretrainer, checkpointer,
        producer, transfers, metrics, state);
    loopThread = new Thread(loop, "spindle-pretraining");
    loopThread.start();

    http = new TrainerHttpServer(metrics, this::health).start(config.httpHost(), config.httpPort());
    log.info("trainer-service ready: model {} {}, latest model version {}, http port {}",
        config.modelName(), config.network(), lastVersion, http.port());
    TransferRecipe.Propagation propagation = config.recipe().propagation();
    log.info("pretraining {} images x 4 rotations per step, {}; transfer: stage 1 {} epochs, "
            + "stage 2 {} epochs, label propagation {} rounds of {} epochs over up to {} images",
        config.batchImages(), config.pretrainCutout(), config.recipe().stage1Epochs(),
        config.recipe().stage2Epochs(), propagation.rounds(), propagation.epochs(),
        config.propagationPool());
    return this;
  }

  private KafkaConsumer<String, byte[]> consumer(String role) {
    return new KafkaConsumer<>(config.clients().followerWith(Map.of(
        ConsumerConfig.GROUP_ID_CONFIG, config.groupId(),
        ConsumerConfig.CLIENT_ID_CONFIG, "spindle-trainer-" + role,
        ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 256)),
        new StringDeserializer(), new ByteArrayDeserializer());
  }

  /**
   * {@code status} UP while the loop runs without failure; the figures that say how far it is.
   * {@code imageTopics} is {@code WAITING_FOR_TOPIC} until ingest has created the image topics.
   */
  public Map<String, Object> health() {
    Map<String, Object> report = new LinkedHashMap<>();
    boolean up = loopThread != null && loopThread.isAlive() && loop.failure() == null;
    report.put("status", up ? "UP" : "DOWN");
    if (loop.failure() != null) {
      report.put("error", loop.failure().toString());
    }
    report.put("imageTopics", loop.following() ? "FOLLOWING" : "WAITING_FOR_TOPIC");
    report.put("pretrainSteps", loop.steps());
    report.put("backboneVersion", loop.backboneVersion());
    CheckpointState checkpoint = loop.lastCheckpoint();
    report.put("lastCheckpoint", checkpoint.backboneVersion() == 0 ? null
        : checkpoint.created().toString());
    report.put("checkpoints", loop.checkpointError() == null ? "OK" : "FAILING");
    if (loop.checkpointError() != null) {
      report.put("checkpointError", loop.checkpointError());
    }
    report.put("pretextAccuracy", loop.pretextAccuracy());
    report.put("labeledImages", labeledStore.size());
    report.put("labeledStoreCaughtUp", labeledFeed.caughtUp());
    report.put("modelVersion", transfers.lastModelVersion());
    report.put("transferRunning", transfers.isRunning());
    report.put("pretrainingPaused", loop.paused());
    return report;
  }

  public int httpPort() {
    return http.port();
  }

  public TrainingLoop loop() {
    return loop;
  }

  public long lastModelVersion() {
    return transfers.lastModelVersion();
  }

  /** Stops without the final checkpoint, like {@code kill -9} (tests of resume). */
  public void halt() throws InterruptedException {
    loop.halt();
    loopThread.join();
    shutdownRest();
  }

  @Override
  public void close() throws InterruptedException {
    if (loop != null) {
      loop.stop();
      loopThread.join();
    }
    shutdownRest();
    log.info("trainer-service stopped");
  }

  private void shutdownRest() throws InterruptedException {
    if (http != null) {
      http.close();
    }
    if (labeledFeed != null) {
      labeledFeed.stop();
      labeledThread.join();
    }
    if (transfers != null) {
      transfers.close();
    }
    if (producer != null) {
      producer.close();
    }
  }
}
