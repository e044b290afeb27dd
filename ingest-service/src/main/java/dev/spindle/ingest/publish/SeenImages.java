package dev.spindle.ingest.publish;

import dev.spindle.schemas.TopicScan;
import dev.spindle.schemas.config.ClientSettings;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ids of every image already in Kafka, for deduplication. {@link #follow} reads the keys of
 * the image topics to their end before returning (so a restarted ingest recognises earlier
 * uploads), then keeps following them in the background, so images written by another ingest
 * instance or a bulk loader count as seen too. Each image this instance publishes is added as
 * soon as it is acknowledged. {@link #caughtUp} tells when it has read everything the topics
 * held at the time of asking: what a retry of a publish with an unknown outcome needs.
 */
public final class SeenImages implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SeenImages.class);
  private final ImageIdSet ids = new ImageIdSet();
  private final Queue<CompletableFuture<Void>> catchUpRequests = new ConcurrentLinkedQueue<>();
  /** Requests the follower is answering, and the end offsets they wait for (follower only). */
  private final List<CompletableFuture<Void>> waiting = new ArrayList<>();
  private Map<TopicPartition, Long> catchUpTarget;
  private KafkaConsumer<ImageIdSet.Key, Void> consumer;
  private Thread follower;

  public boolean contains(String id) {
    return ids.contains(id);
  }

  public void add(String id) {
    ids.add(id);
  }

  public int size() {
    return ids.size();
  }

  /**
   * Completes once the index has read the image topics up to (at least) their end offsets at
   * the time of the call; while the broker is away it stays pending. Without a follower (an
   * index fed only by {@link #add}) it is complete at once.
   */
  public CompletableFuture<Void> caughtUp() {
    CompletableFuture<Void> request = new CompletableFuture<>();
    if (follower == null) {
      request.complete(null);
    } else {
      catchUpRequests.add(request);
    }
    return request;
  }

  /** Catches up with {@code topics}, then follows them until closed. */
  public static SeenImages follow(ClientSettings clients, List<String> topics) {
    SeenImages seen = new SeenImages();
    long started = System.nanoTime();
    // only keys matter: read straight into the id set's form (KeyReader), values skipped
    // (SkipValue), not copied; fetches wait for 256 KB or 200 ms, so following a busy topic
    // costs the broker a few fetches a second, not one per batch
    seen.consumer = new KafkaConsumer<>(clients.followerWith(Map.of(
        ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 8 * 1024 * 1024,
        ConsumerConfig.FETCH_MIN_BYTES_CONFIG, 256 * 1024,
        ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 200)),
        new KeyReader(), new SkipValue());
    TopicScan.readToEnd(seen.consumer, topics, seen::remember);
    log.info("dedup index: {} image ids from {} in {} ms", seen.size(), topics,
        (System.nanoTime() - started) / 1_000_000);
    seen.follower = new Thread(seen::followUntilClosed, "seen-images-follower");
    seen.follower.setDaemon(true);
    seen.follower.start();
    return seen;
  }

  private void remember(ConsumerRecord<ImageIdSet.Key, Void> record) {
    if (record.key() != null) {
      ids.add(record.key());
    }
  }

  private void poll(Duration timeout) {
    consumer.poll(timeout).forEach(this::remember);
  }

  private void followUntilClosed() {
    try {
      while (!Thread.currentThread().isInterrupted()) {
        poll(waiting.isEmpty() && catchUpRequests.isEmpty()
            ? Duration.ofSeconds(1) : Duration.ofMillis(50));
        answerCatchUpRequests();
      }
    } catch (WakeupException closing) {
      // close() asked us to stop
    } catch (RuntimeException e) {
      log.error("dedup index stopped following the image topics; duplicates written by other "
          + "instances will not be recognised until restart", e);
    } finally {
      consumer.close(Duration.ofSeconds(5));
    }
  }

  /** On the follower thread: completes the requests once the end offsets they wait for are read. */
  private void answerCatchUpRequests() {
    try {
      if (catchUpTarget == null) {
        for (CompletableFuture<Void> request; (request = catchUpRequests.poll()) != null; ) {
          waiting.add(request);
        }
        if (waiting.isEmpty()) {
          return;
        }
        // read_committed: the last stable offsets, which the consumer's position reaches
        catchUpTarget = consumer.endOffsets(consumer.assignment(), Duration.ofSeconds(1));
      }
      for (Map.Entry<TopicPartition, Long> end : catchUpTarget.entrySet()) {
        if (consumer.position(end.getKey(), Duration.ofSeconds(1)) < end.getValue()) {
          return;
        }
      }
      waiting.forEach(request -> request.complete(null));
      waiting.clear();
      catchUpTarget = null;
    } catch (WakeupException closing) {
      throw closing;
    } catch (KafkaException unavailable) {
      // the broker is away: the requests wait, the next loop asks again
    }
  }

  /** Reads a record key as the id set holds it, without making a String of an image id. */
  private static final class KeyReader implements Deserializer<ImageIdSet.Key> {
    @Override
    public ImageIdSet.Key deserialize(String topic, byte[] data) {
      return data == null ? null : ImageIdSet.Key.of(ByteBuffer.wrap(data));
    }

    @Override
    public ImageIdSet.Key deserialize(String topic, Headers headers, ByteBuffer data) {
      return data == null ? null : ImageIdSet.Key.of(data);
    }
  }

  /**
   * Reads no value: the consumer hands values over as buffers, and the default of
   * {@link Deserializer} would copy each image into an array first, only to throw it away.
   */
  private static final class SkipValue implements Deserializer<Void> {
    @Override
    public Void deserialize(String topic, byte[] data) {
      return null;
    }

    @Override
    public Void deserialize(String topic, Headers headers, ByteBuffer data) {
      return null;
    }
  }

  @Override
  public void close() {
    if (follower == null) {
      return;
    }
    consumer.wakeup();
    try {
      follower.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
