package dev.spindle.serving.stream;

import dev.spindle.schemas.Topics;
import dev.spindle.schemas.config.ClientSettings;
import dev.spindle.serving.holder.ModelHolder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs {@link PredictionTopology} with exactly_once_v2: a batch's predictions, its buffer
 * changes and the input offsets commit in one transaction, so a restart neither loses nor
 * repeats a prediction.
 */
public final class PredictionApp implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PredictionApp.class);
  private final KafkaStreams streams;

  public PredictionApp(ClientSettings clients, Topics topics, ModelHolder holder,
      PredictionTopology.Batching batching, LabelRequestPolicy labelRequests,
      java.util.function.Predicate<String> isLabeled, PredictionListener listener,
      String applicationId, Path stateDir) {
    Properties props = new Properties();
    props.putAll(clients.kafka());
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toAbsolutePath().toString());
    props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
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

  public PredictionApp start() {
    streams.start();
    return this;
  }

  /** Consumer lag of the stream's input, summed over its partitions (0 before the first fetch). */
  public double recordsLag() {
    return dev.spindle.schemas.ConsumerLag.records(streams.metrics());
  }

  public KafkaStreams.State state() {
    return streams.state();
  }

  @Override
  public void close() {
    streams.close(Duration.ofSeconds(30));
  }
}
