package dev.spindle.ingest.join;

import dev.spindle.schemas.Topics;
import dev.spindle.schemas.config.ClientSettings;
import dev.spindle.schemas.config.StreamsDefaults;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the label join ({@link LabelJoinTopology}) with exactly-once processing: each input
 * record's output and its offset commit happen in one transaction. A failing stream thread is
 * logged and replaced, so a transient outage does not stop the join for good.
 */
public final class LabelJoinApp implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LabelJoinApp.class);
  private final KafkaStreams streams;

  public LabelJoinApp(ClientSettings clients, Topics topics, String applicationId, Path stateDir,
      short replicationFactor) {
    Properties props = StreamsDefaults.exactlyOnce(clients, applicationId, stateDir);
    props.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, (int) replicationFactor);
    streams = new KafkaStreams(LabelJoinTopology.buildTopology(topics), props);
    streams.setStateListener((now, before) -> log.info("label join: {} -> {}", before, now));
    streams.setUncaughtExceptionHandler(e -> {
      log.error("label join thread failed; replacing it", e);
      return StreamThreadExceptionResponse.REPLACE_THREAD;
    });
  }

  public void start() {
    streams.start();
  }

  public KafkaStreams.State state() {
    return streams.state();
  }

  @Override
  public void close() {
    streams.close(Duration.ofSeconds(30));
  }
}
