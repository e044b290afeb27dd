package dev.spindle.trainer.feed;

import dev.spindle.schemas.TopicNames;
import dev.spindle.schemas.TopicWait;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the {@link LabeledStore} up to date: reads {@code images.labeled} from the beginning
 * (the store is rebuilt on every start; the topic is the record of every label) and then
 * follows it. Runs on its own thread until {@link #stop()}.
 */
public final class LabeledFeed implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(LabeledFeed.class);

  private final Consumer<String, byte[]> consumer;
  private final ImageRecords records;
  private final LabeledStore store;
  private volatile boolean running = true;
  private volatile boolean caughtUp;

  public LabeledFeed(Consumer<String, byte[]> consumer, ImageRecords records, LabeledStore store) {
    this.consumer = consumer;
    this.records = records;
    this.store = store;
  }

  /** Whether the store has every label that was on the topic when the feed started. */
  public boolean caughtUp() {
    return caughtUp;
  }

  @Override
  public void run() {
    try {
      List<TopicPartition> partitions = TopicWait.partitions(consumer,
          List.of(TopicNames.IMAGES_LABELED), TopicWait.whileRunning(() -> running));
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      var end = consumer.endOffsets(partitions);
      while (running) {
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
          try {
            FeedImage image = records.decode(record);
            store.put(image.imageId(), image.pixels(), image.label(), record.partition(),
                record.offset());
          } catch (UnusableRecordException e) {
            // the training loop reads the same record and dead-letters it; here it is skipped
            log.debug("labeled record skipped: {}", e.getMessage());
          }
        }
        if (!caughtUp && partitions.stream().allMatch(p -> consumer.position(p) >= end.get(p))) {
          caughtUp = true;
          log.info("labeled store caught up: {} labeled images", store.size());
        }
      }
    } catch (WakeupException e) {
      // stop() was called
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      consumer.close();
    }
  }

  public void stop() {
    running = false;
    consumer.wakeup();
  }
}
