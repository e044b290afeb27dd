package dev.spindle.schemas;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Waits for topics to exist before a consumer is assigned their partitions. ingest-service
 * creates the topics; a trainer or serving started before it would otherwise be assigned no
 * partitions at all and follow nothing (or fail on it), where now it says what it waits for.
 */
public final class TopicWait {
  /** Waits up to {@code millis}; false when the waiting should end (the caller is closing). */
  @FunctionalInterface
  public interface Pause {
    boolean pause(long millis) throws InterruptedException;
  }

  /** Sleeps between tries for as long as {@code running} says so. */
  public static Pause whileRunning(BooleanSupplier running) {
    return millis -> {
      Thread.sleep(millis);
      return running.getAsBoolean();
    };
  }

  private static final Logger log = LoggerFactory.getLogger(TopicWait.class);
  private static final long FIRST_PAUSE_MS = 200;
  private static final long LONGEST_PAUSE_MS = 2_000;

  private TopicWait() {}

  /**
   * The partitions of every topic in {@code topics}, once all of them exist; empty when
   * {@code pause} ends the waiting first. Between tries it pauses 0.2 s, doubling up to 2 s.
   */
  public static List<TopicPartition> partitions(Consumer<?, ?> consumer, List<String> topics,
      Pause pause) throws InterruptedException {
    long pauseMs = FIRST_PAUSE_MS;
    String told = null;
    while (true) {
      String missing = null;
      List<TopicPartition> partitions = new ArrayList<>();
      try {
        for (String topic : topics) {
          List<PartitionInfo> found = consumer.partitionsFor(topic);
          if (found.isEmpty()) {
            missing = topic;
            break;
          }
          found.forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
        }
      } catch (TimeoutException e) {
        missing = "no answer from the broker about " + topics + " yet (" + e.getMessage()
            + "): retrying";
      }
      if (missing == null) {
        if (told != null) {
          log.info("topics {} exist now", topics);
        }
        return partitions;
      }
      if (!missing.equals(told)) {
        log.warn(topics.contains(missing) ? "waiting for topic " + missing + ": it does not "
            + "exist yet (ingest-service creates the topics at start)" : missing);
        told = missing;
      }
      if (!pause.pause(pauseMs)) {
        return List.of();
      }
      pauseMs = Math.min(LONGEST_PAUSE_MS, pauseMs * 2);
    }
  }
}
