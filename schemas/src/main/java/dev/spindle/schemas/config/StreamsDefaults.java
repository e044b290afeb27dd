package dev.spindle.schemas.config;

import java.util.Properties;

/** Settings both Kafka Streams apps (ingest's label join, serving's predictions) add. */
public final class StreamsDefaults {
  private static final String GLOBAL_HANDLER = "processing.exception.handler.global.enabled";

  private StreamsDefaults() {}

  /**
   * Turns on the processing exception handler for global stores unless set otherwise. Neither
   * topology has a global store, so nothing changes but the log: Kafka Streams 4.3 warns at
   * every start, once per config it builds, that the setting is off (it is on from 5.0).
   * The assignor of each stream thread builds its config from the main consumer's, hence the
   * prefixed copy of the value.
   */
  public static void enableGlobalExceptionHandler(Properties props) {
    props.putIfAbsent(GLOBAL_HANDLER, true);
    props.putIfAbsent("main.consumer." + GLOBAL_HANDLER, props.get(GLOBAL_HANDLER));
  }
}
