package dev.spindle.serving.feed;

import dev.spindle.schemas.DeadLetters;
import dev.spindle.schemas.Topic;
import dev.spindle.schemas.TopicWait;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads one topic from the beginning and then follows it, handing each record to a handler on
 * its own thread, until {@link #close()}. Records arrive as bytes and are read here, one by
 * one: a record that cannot be read (not Avro, unknown schema) goes to {@code dead-letters}
 * with the reason, and the follower goes on; so does it after a handler failure, logged with
 * the record's position. With a {@link Backlog}, what the topic held at start is handed over
 * at once, when read to its end, instead of record by record: a follower that only needs the
 * latest of many past records does not act on each of them.
 */
public final class TopicFollower<V> implements Runnable, AutoCloseable {
  /** What to do with each readable record. */
  public interface Handler<V> {
    void accept(String key, V value);
  }

  /** Takes the values the topic held when the follower started (tombstones left out). */
  public interface Backlog<V> {
    void accept(List<V> values);
  }

  private static final Logger log = LoggerFactory.getLogger(TopicFollower.class);

  private final KafkaConsumer<String, byte[]> consumer;
  private final Topic<String, V> topic;
  private final Handler<V> handler;
  private final DeadLetters deadLetters;
  private final Thread thread;
  private Backlog<V> backlog;
  private volatile boolean running = true;
  private volatile boolean waitingForTopic;
  private final CountDownLatch closed = new CountDownLatch(1);

  public TopicFollower(KafkaConsumer<String, byte[]> consumer, Topic<String, V> topic,
      Handler<V> handler, DeadLetters deadLetters) {
    this.consumer = consumer;
    this.topic = topic;
    this.handler = handler;
    this.deadLetters = deadLetters;
    this.thread = new Thread(this, "spindle-follow-" + topic.name());
    this.thread.setDaemon(true);
  }

  /** Hands the topic's records up to its end at start to {@code backlog}, in one call. */
  public TopicFollower<V> withBacklog(Backlog<V> backlog) {
    this.backlog = backlog;
    return this;
  }

  /**
   * Runs the follower's thread at {@code priority}: background work such as judging a model
   * then yields the cores to requests (on Linux only with {@code -XX:ThreadPriorityPolicy=1},
   * which bin/spindle serving sets; ignored otherwise).
   */
  public TopicFollower<V> withPriority(int priority) {
    thread.setPriority(priority);
    return this;
  }

  /** True while the topic does not exist (or the broker does not answer about it). */
  public boolean waitingForTopic() {
    return waitingForTopic;
  }

  public TopicFollower<V> start() {
    thread.start();
    return this;
  }

  @Override
  public void run() {
    try {
      List<TopicPartition> partitions = awaitPartitions();
      if (partitions.isEmpty()) {
        return;
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      CatchUp catchUp = backlog == null ? null : new CatchUp(consumer.endOffsets(partitions));
      while (running) {
        ConsumerRecords<String, byte[]> records;
        try {
          records = consumer.poll(Duration.ofMillis(500));
        } catch (WakeupException e) {
          throw e;
        } catch (KafkaException e) {
          log.error("{}: polling failed ({}); retrying in a second", topic.name(), e.toString());
          closed.await(1, TimeUnit.SECONDS);
          continue;
        }
        for (ConsumerRecord<String, byte[]> record : records) {
          if (catchUp == null) {
            handle(record);
          } else {
            catchUp.add(record);
          }
        }
        if (catchUp != null && catchUp.done()) {
          catchUp.handOver();
          catchUp = null;
        }
      }
    } catch (WakeupException e) {
      // close() was called
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      consumer.close();
    }
  }

  /** The topic's partitions once it exists; empty if closed first. */
  private List<TopicPartition> awaitPartitions() throws InterruptedException {
    try {
      return TopicWait.partitions(consumer, List.of(topic.name()), millis -> {
        waitingForTopic = true;
        return !closed.await(millis, TimeUnit.MILLISECONDS);
      });
    } finally {
      waitingForTopic = false;
    }
  }

  /** The records read while the topic's start-time end is not reached yet. */
  private final class CatchUp {
    private final Map<TopicPartition, Long> end;
    private final List<V> values = new ArrayList<>();
    /** Records past that end that came in the same polls: handled after the backlog. */
    private final List<ConsumerRecord<String, byte[]>> after = new ArrayList<>();

    CatchUp(Map<TopicPartition, Long> end) {
      this.end = end;
    }

    void add(ConsumerRecord<String, byte[]> record) {
      if (record.offset() >= end.get(new TopicPartition(record.topic(), record.partition()))) {
        after.add(record);
        return;
      }
      if (record.value() != null) {
        read(record).ifPresent(values::add);
      }
    }

    boolean done() {
      return end.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue());
    }

    void handOver() {
      log.info("{}: read the {} records it held at start", topic.name(), values.size());
      try {
        backlog.accept(values);
      } catch (RuntimeException e) {
        log.error("{}: handling the records it held at start failed: {}", topic.name(),
            e.toString(), e);
      }
      after.forEach(TopicFollower.this::handle);
    }
  }

  /** The record's value, or empty when it cannot be read (then dead-lettered with why). */
  private Optional<V> read(ConsumerRecord<String, byte[]> record) {
    try {
      return Optional.of(topic.valueSerde().deserializer().deserialize(topic.name(),
          record.value()));
    } catch (RuntimeException e) {
      deadLetters.publish(record.topic(), record.partition(), record.offset(), record.key(),
          record.value(), e);
      return Optional.empty();
    }
  }

  private void handle(ConsumerRecord<String, byte[]> record) {
    V value;
    if (record.value() == null) {
      value = null;
    } else {
      Optional<V> read = read(record);
      if (read.isEmpty()) {
        return;
      }
      value = read.get();
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
    closed.countDown();
    consumer.wakeup();
    thread.join(10_000);
  }
}
