package dev.spindle.schemas.config;

import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

/**
 * The Kafka Streams configuration both Streams apps (ingest's label join, serving's
 * predictions) start from. Keys are spelled out: this module has the Kafka clients, not
 * Kafka Streams.
 */
public final class StreamsDefaults {
  private static final String GLOBAL_HANDLER = "processing.exception.handler.global.enabled";

  private StreamsDefaults() {}

  /**
   * {@code clients}' Kafka settings with, on top, the application id, exactly_once_v2, the
   * state directory and a 100 ms commit interval; then {@link #enableGlobalExceptionHandler}.
   */
  public static Properties exactlyOnce(ClientSettings clients, String applicationId,
      Path stateDir) {
    Properties props = new Properties();
    props.putAll(clients.kafkaWith(Map.of(
        "application.id", applicationId,
        "processing.guarantee", "exactly_once_v2",
        "state.dir", stateDir.toAbsolutePath().toString(),
        "commit.interval.ms", 100)));
    enableGlobalExceptionHandler(props);
    return props;
  }

  /**
   * Turns on the processing exception handler for global stores unless set otherwise. Neither
   * topology has a global store, so nothing changes but the log: Kafka Streams 4.3 warns at
   * every start, once per config it builds, that the setting is off (it is on from 5.0).
   * The assignor of each stream thread builds its config from the main consumer's, hence the
   * prefixed copy of the value.
   */
  static void enableGlobalExceptionHandler(Properties props) {
    props.putIfAbsent(GLOBAL_HANDLER, true);
    props.putIfAbsent("main.consumer." + GLOBAL_HANDLER, props.get(GLOBAL_HANDLER));
  }
}
