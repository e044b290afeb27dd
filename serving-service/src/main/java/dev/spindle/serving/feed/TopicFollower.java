package dev.spindle.serving.feed;

import dev.spindle.schemas.DeadLetters;
import dev.spindle.schemas.Topic;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads one topic from the beginning and then follows it, handing each record to a handler on
 * its own thread, until {@link #close()}. Records arrive as bytes and are read here, one by
 * one: a record that cannot be read (not Avro, unknown schema) goes to {@code dead-letters}
 * with the reason, and the follower goes on; so does it after a handler failure, logged with
 * the record's position.
 */
public final class TopicFollower<V> implements Runnable, AutoCloseable {
  /** What to do with each readable record. */
  public interface Handler<V> {
    void accept(String key, V value);
  }

  private static final Logger log = LoggerFactory.getLogger(TopicFollower.class);

  private final KafkaConsumer<String, byte[]> consumer;
  private final Topic<String, V> topic;
  private final Handler<V> handler;
  private final DeadLetters deadLetters;
  private final Thread thread;
  private volatile boolean running = true;

  public TopicFollower(KafkaConsumer<String, byte[]> consumer, Topic<String, V> topic,
      Handler<V> handler, DeadLetters deadLetters) {
    this.consumer = consumer;
    this.topic = topic;
    this.handler = handler;
    this.deadLetters = deadLetters;
    this.thread = new Thread(this, "spindle-follow-" + topic.name());
    this.thread.setDaemon(true);
  }

  public TopicFollower<V> start() {
    thread.start();
    return this;
  }

  @Override
  public void run() {
    try {
      List<TopicPartition> partitions = consumer.partitionsFor(topic.name()).stream()
          .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      while (running) {
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
          handle(record);
        }
      }
    } catch (WakeupException e) {
      // close() was called
    } finally {
      consumer.close();
    }
  }

  private void handle(ConsumerRecord<String, byte[]> record) {
    V value;
    try {
      value = record.value() == null ? null
          : topic.valueSerde().deserializer().deserialize(topic.name(), record.value());
    } catch (RuntimeException e) {
      deadLetters.publish(record.topic(), record.partition(), record.offset(), record.key(),
          record.value(), e);
      return;
    }
    try {
      handler.accept(record.key(), value);
    } catch (RuntimeException e) {
      log.error("{}-{}@{}: {}", record.topic(), record.partition(), record.offset(),
          e.toString(), e);
    }
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    consumer.wakeup();
    thread.join(10_000);
  }
}
