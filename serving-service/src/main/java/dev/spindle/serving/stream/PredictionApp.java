package dev.spindle.serving.stream;

import dev.spindle.schemas.TopicWait;
import dev.spindle.schemas.Topics;
import dev.spindle.schemas.config.ClientSettings;
import dev.spindle.schemas.config.StreamsDefaults;
import dev.spindle.serving.holder.ModelHolder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs {@link PredictionTopology} with exactly_once_v2: a batch's predictions, its buffer
 * changes and the input offsets commit in one transaction, so a restart neither loses nor
 * repeats a prediction. It starts once its input topic exists: ingest-service creates the
 * topics, and a stream started before that would fail and be replaced over and over.
 */
public final class PredictionApp implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PredictionApp.class);
  private final KafkaStreams streams;
  /** The consumer that asks whether the input topic exists yet. */
  private final Map<String, Object> probing;
  private final String input;
  private final Object starting = new Object();
  private volatile boolean closing;
  private volatile Thread starter;

  public PredictionApp(ClientSettings clients, Topics topics, ModelHolder holder,
      PredictionTopology.Batching batching, LabelRequestPolicy labelRequests,
      java.util.function.Predicate<String> isLabeled, PredictionListener listener,
      String applicationId, Path stateDir) {
    probing = clients.kafkaWith(Map.of(
        ConsumerConfig.CLIENT_ID_CONFIG, "spindle-serving-stream-start",
        ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false));
    input = topics.imagesUnlabeled().name();
    Properties props = StreamsDefaults.exactlyOnce(clients, applicationId, stateDir);
    // one stream thread per core: decoding and inference are CPU-bound
    props.putIfAbsent(StreamsConfig.NUM_STREAM_THREADS_CONFIG,
        Runtime.getRuntime().availableProcessors());
    streams = new KafkaStreams(PredictionTopology.buildTopology(
        topics, holder, batching, labelRequests, isLabeled, listener), props);
    streams.setStateListener((now, before) -> log.info("predictions: {} -> {}", before, now));
    streams.setUncaughtExceptionHandler(e -> {
      log.error("prediction thread failed; replacing it", e);
      return StreamThreadExceptionResponse.REPLACE_THREAD;
    });
  }

  /** Starts the stream on a thread of its own as soon as the input topic exists. */
  public PredictionApp start() {
    starter = new Thread(this::startOnceTheInputExists, "prediction-stream-start");
    starter.setDaemon(true);
    starter.start();
    return this;
  }

  private void startOnceTheInputExists() {
    try (KafkaConsumer<byte[], byte[]> probe = new KafkaConsumer<>(probing,
        new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      boolean exists = !TopicWait.partitions(probe, List.of(input),
          TopicWait.whileRunning(() -> !closing)).isEmpty();
      synchronized (starting) {
        if (exists && !closing) {
          streams.start();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      // while closing this is close()'s interrupt reaching the probe: nothing to report
      if (!closing) {
        log.error("prediction stream could not start", e);
      }
    }
  }

  /** True until the input topic exists and the stream has started. */
  public boolean waitingForInput() {
    Thread waiting = starter;
    return waiting != null && waiting.isAlive();
  }

  /** Consumer lag of the stream's input, summed over its partitions (0 before the first fetch). */
  public double recordsLag() {
    return dev.spindle.schemas.ConsumerLag.records(streams.metrics());
  }

  public KafkaStreams.State state() {
    return streams.state();
  }

  @Override
  public void close() throws InterruptedException {
    synchronized (starting) {
      closing = true;
    }
    if (starter != null) {
      // a probe waiting on an unanswering broker would otherwise hold close() for a minute
      starter.interrupt();
      starter.join();
    }
    streams.close(Duration.ofSeconds(30));
  }
}
