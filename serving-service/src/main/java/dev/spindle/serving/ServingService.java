package dev.spindle.serving;

import dev.spindle.model.artifact.ModelStore;
import dev.spindle.model.runtime.Dl4jRuntime;
import dev.spindle.schemas.DeadLetters;
import dev.spindle.schemas.Topic;
import dev.spindle.schemas.Topics;
import dev.spindle.schemas.avro.ModelVersion;
import dev.spindle.serving.dashboard.Dashboard;
import dev.spindle.serving.drift.DriftMonitor;
import dev.spindle.serving.drift.RecentTraffic;
import dev.spindle.serving.feed.GatingFeed;
import dev.spindle.serving.feed.TopicFollower;
import dev.spindle.serving.holder.ModelHolder;
import dev.spindle.serving.holder.ModelRecord;
import dev.spindle.serving.holder.Scores;
import dev.spindle.serving.http.ServingHttpServer;
import dev.spindle.serving.stream.LabelRequestWindow;
import dev.spindle.serving.stream.PredictionApp;
import dev.spindle.serving.stream.PredictionListener;
import dev.spindle.serving.stream.PredictionTopology;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * serving-service as a whole: follows {@code images.labeled} for the gating set and
 * {@code models} for new versions (judged by the {@link ModelHolder} on the follower's thread,
 * off the request path; of the versions published before the start, only the newest few),
 * runs the exactly-once prediction stream and serves the HTTP API, until closed.
 */
public final class ServingService implements AutoCloseable {
  /**
   * The JVM flags serving starts with on Linux (bin/spindle, the demo, docker-compose: one
   * value, checked by a test): background threads at Java's lowest priority (judging a model,
   * the gating feed, drift checks) and the JIT's compiler threads run at nice 10, so a swap
   * yields the cores to requests (README, serving). No privilege is needed to lower them.
   */
  public static final String LINUX_JVM_FLAGS = "-XX:ThreadPriorityPolicy=1 "
      + "-XX:JavaPriority1_To_OSPriority=10 -XX:CompilerThreadPriority=10";

  private static final Logger log = LoggerFactory.getLogger(ServingService.class);

  private final ServingConfig config;
  private final ServingMetrics metrics = new ServingMetrics();
  private ModelHolder holder;
  private TopicFollower<?> gatingFollower;
  private TopicFollower<?> modelFollower;
  private ServingHttpServer http;
  private PredictionApp predictions;
  private final RecentTraffic traffic = new RecentTraffic(256);
  private DriftMonitor drift;
  private DeadLetters deadLetters;
  private Dashboard dashboard;
  private final Instant startedAt = Instant.now();

  public ServingService(ServingConfig config) {
    this.config = config;
  }

  public ServingService start() {
    Dl4jRuntime.init();
    if (config.inferenceThreads() > 0) {
      Dl4jRuntime.threads(config.inferenceThreads());
      if (System.getenv("OMP_NUM_THREADS") == null) {
        log.warn("OMP_NUM_THREADS is not set: inference threads are capped per calling thread, "
            + "which gets part of the gain; start serving with OMP_NUM_THREADS={} for all of it "
            + "(bin/spindle serving and docker-compose do)", config.inferenceThreads());
      }
    }
    Topics topics = Topics.create(config.clients().serde());
    GatingFeed gating = new GatingFeed(config.validationPercent(), config.gateMaxImages());
    holder = new ModelHolder(ModelStore::load, gating::snapshot, config.gate(),
        Clock.systemUTC());
    deadLetters = new DeadLetters(config.clients().kafkaWith(Map.of(
        ProducerConfig.CLIENT_ID_CONFIG, "spindle-serving-dead-letters")), topics,
        "serving-service/followers");
    gatingFollower = new TopicFollower<>(consumer(topics.imagesLabeled()), topics.imagesLabeled(),
        gating::accept, deadLetters).withPriority(Thread.MIN_PRIORITY).start();
    modelFollower = new TopicFollower<>(consumer(topics.models()), topics.models(),
        (key, event) -> offer(event), deadLetters).withBacklog(this::catchUp)
        .withPriority(Thread.MIN_PRIORITY).start();
    dashboard = new Dashboard(holder, Clock.systemUTC());
    PredictionListener listener = new PredictionListener() {
      @Override
      public void predicted(String imageId, float[] pixels, Scores scores, long modelVersion) {
        traffic.add(pixels);
        metrics.streamPredictions.inc();
        dashboard.predicted(imageId, pixels, scores, modelVersion);
      }

      @Override
      public void batchPredicted(int images, long nanos) {
        metrics.streamBatchImages.observe(images);
        metrics.streamBatchSeconds.observe(nanos / 1e9);
      }

      @Override
      public void labelRequested(LabelRequestWindow.Candidate request, long at) {
        metrics.labelRequests.inc();
        dashboard.labelRequested(request, at);
      }
    };
    if (config.streamEnabled()) {
      predictions = new PredictionApp(config.clients(), topics, holder,
          new PredictionTopology.Batching(config.batchSize(), config.batchLingerMs(),
              config.topK()), config.labelRequests(), gating::isLabeled, listener,
          config.applicationId(), config.stateDir()).start();
    }
    http = new ServingHttpServer(holder, config.adminTokens(), config.topK(), config.maxBytes(),
        new ServingHttpServer.Observer() {
          @Override
          public void predicted(String outcome, long startedNanos) {
            metrics.requests.labelValues(outcome).inc();
            metrics.latency.observe((System.nanoTime() - startedNanos) / 1e9);
          }

          @Override
          public void served(float[] pixels) {
            traffic.add(pixels);
          }

          @Override
          public String metrics() throws java.io.IOException {
            metrics.swaps.set(holder.swaps());
            metrics.servingVersion.set(holder.current().map(m -> m.version()).orElse(0L));
            if (predictions != null) {
              metrics.streamLag.set(predictions.recordsLag());
            }
            return metrics.scrape();
          }
        }, this::health).withDashboard(dashboard::snapshot).start(config.httpHost(), config.httpPort());
    drift = new DriftMonitor(holder, traffic, accuracy -> {
      metrics.rotationAccuracy.set(accuracy);
      dashboard.rotationAccuracy(accuracy);
    })
        .start(config.driftInterval());
    log.info("serving-service ready: model {}, http port {}", config.modelName(), http.port());
    return this;
  }

  private void offer(ModelVersion event) {
    if (!ours(event)) {
      return;
    }
    ModelRecord record = holder.offer(event);
    metrics.offers.labelValues(record.status()).inc();
    if (ModelHolder.SERVING.equals(record.status()) && event.getCreatedAt().isAfter(startedAt)) {
      metrics.swapLatency.observe(
          Duration.between(event.getCreatedAt(), Instant.now()).toMillis() / 1000.0);
    }
  }

  /** The versions published before this start: only the newest few are judged. */
  private void catchUp(List<ModelVersion> events) {
    holder.worthJudging(events.stream().filter(this::ours).toList()).forEach(this::offer);
  }

  private boolean ours(ModelVersion event) {
    return event != null && event.getModelName().toString().equals(config.modelName());
  }

  private KafkaConsumer<String, byte[]> consumer(Topic<String, ?> topic) {
    return new KafkaConsumer<>(config.clients().followerWith(Map.of(
        ConsumerConfig.CLIENT_ID_CONFIG, "spindle-serving-" + topic.name())),
        topic.keySerde().deserializer(), new ByteArrayDeserializer());
  }

  /** UP with a model; NO_MODEL (503) until the first one is promoted. */
  public Map<String, Object> health() {
    Map<String, Object> report = new LinkedHashMap<>();
    report.put("status", holder.current().isPresent() ? "UP" : "NO_MODEL");
    report.put("model", holder.current().map(m -> (Object) m.version()).orElse("none"));
    report.put("pinned", holder.pinned().orElse(null));
    report.put("rotationAccuracyRecentTraffic", drift == null ? Double.NaN : drift.lastAccuracy());
    report.put("predictionStream", predictions == null ? "DISABLED"
        : predictions.waitingForInput() ? "WAITING_FOR_TOPIC" : predictions.state().name());
    return report;
  }

  /** Images answered so far, by HTTP and by the stream. */
  public long imagesAnswered() {
    return traffic.seen();
  }

  public DriftMonitor drift() {
    return drift;
  }

  public ModelHolder holder() {
    return holder;
  }

  public int httpPort() {
    return http.port();
  }

  @Override
  public void close() throws InterruptedException {
    if (http != null) {
      http.close();
    }
    if (drift != null) {
      drift.close();
    }
    if (predictions != null) {
      predictions.close();
    }
    if (modelFollower != null) {
      modelFollower.close();
    }
    if (gatingFollower != null) {
      gatingFollower.close();
    }
    if (deadLetters != null) {
      deadLetters.close();
    }
    log.info("serving-service stopped");
  }
}
