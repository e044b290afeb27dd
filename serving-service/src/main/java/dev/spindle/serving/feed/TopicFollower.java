package dev.spindle.serving.feed;

import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads one topic from the beginning and then follows it, handing each record to a handler on
 * its own thread, until {@link #close()}. A handler failure is logged with the record's
 * position and the follower goes on.
 */
public final class TopicFollower<V> implements Runnable, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(TopicFollower.class);

  private final KafkaConsumer<String, V> consumer;
  private final String topic;
  private final Consumer<ConsumerRecord<String, V>> handler;
  private final Thread thread;
  private volatile boolean running = true;

  public TopicFollower(KafkaConsumer<String, V> consumer, String topic,
      Consumer<ConsumerRecord<String, V>> handler) {
    this.consumer = consumer;
    this.topic = topic;
    this.handler = handler;
    this.thread = new Thread(this, "spindle-follow-" + topic);
    this.thread.setDaemon(true);
  }

  public TopicFollower<V> start() {
    thread.start();
    return this;
  }

  @Override
  public void run() {
    try {
      List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
          .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      while (running) {
        for (ConsumerRecord<String, V> record : consumer.poll(Duration.ofMillis(500))) {
          try {
            handler.accept(record);
          } catch (RuntimeException e) {
            log.error("{}-{}@{}: {}", record.topic(), record.partition(), record.offset(),
                e.toString(), e);
          }
        }
      }
    } catch (WakeupException e) {
      // close() was called
    } finally {
      consumer.close();
    }
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    consumer.wakeup();
    thread.join(10_000);
  }
}
