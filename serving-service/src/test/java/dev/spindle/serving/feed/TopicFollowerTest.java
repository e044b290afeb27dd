package dev.spindle.serving.feed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.spindle.schemas.DeadLetters;
import dev.spindle.schemas.Topic;
import dev.spindle.schemas.Topics;
import dev.spindle.stack.LocalStack;
import dev.spindle.stack.LocalStackExtension;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** The follower on the real broker: what a topic held at start, what comes later, late topics. */
@Tag("integration")
@Timeout(120)
@ExtendWith(LocalStackExtension.class)
class TopicFollowerTest {
  private final List<List<String>> backlogs = new CopyOnWriteArrayList<>();
  private final List<String> handled = new CopyOnWriteArrayList<>();
  private DeadLetters deadLetters;

  @AfterEach
  void closeDeadLetters() {
    if (deadLetters != null) {
      deadLetters.close();
    }
  }

  @Test
  void shouldHandOverWhatTheTopicHeldAtStartInOneCallThenFollowRecordByRecord(LocalStack stack)
      throws Exception {
    Topic<String, String> topic = newTopic(stack, true);
    send(stack, topic, "a", "b", "c");
    try (TopicFollower<String> follower = follower(stack, topic)) {
      await().atMost(Duration.ofSeconds(30)).until(() -> backlogs.size() == 1);
      assertThat(backlogs.get(0)).containsExactly("a", "b", "c");
      send(stack, topic, "d");
      await().atMost(Duration.ofSeconds(30)).until(() -> handled.contains("d"));
      assertThat(handled).containsExactly("d");
      assertThat(backlogs).hasSize(1);
    }
  }

  @Test
  void shouldWaitForATopicThatDoesNotExistYetAndFollowItOnceCreated(LocalStack stack)
      throws Exception {
    Topic<String, String> topic = newTopic(stack, false);
    try (TopicFollower<String> follower = follower(stack, topic)) {
      await().atMost(Duration.ofSeconds(30)).until(follower::waitingForTopic);
      create(stack, topic.name());
      await().atMost(Duration.ofSeconds(30)).until(() -> !follower.waitingForTopic());
      send(stack, topic, "late");
      await().atMost(Duration.ofSeconds(30)).until(() -> handled.contains("late"));
      assertThat(backlogs).containsExactly(List.of());
    }
  }

  private TopicFollower<String> follower(LocalStack stack, Topic<String, String> topic) {
    Map<String, Object> kafka = Map.of("bootstrap.servers", stack.bootstrapServers());
    KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(kafka,
        Serdes.String().deserializer(), new ByteArrayDeserializer());
    deadLetters = new DeadLetters(kafka,
        Topics.create(Map.of("schema.registry.url", stack.registryUrl())), "follower-test");
    return new TopicFollower<>(consumer, topic, (key, value) -> handled.add(value), deadLetters)
        .withBacklog(values -> backlogs.add(List.copyOf(values))).start();
  }

  private static Topic<String, String> newTopic(LocalStack stack, boolean create)
      throws Exception {
    String name = "follower-test-" + UUID.randomUUID();
    if (create) {
      create(stack, name);
    }
    return new Topic<>(name, Serdes.String(), Serdes.String());
  }

  private static void create(LocalStack stack, String name) throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", stack.bootstrapServers()))) {
      admin.createTopics(List.of(new NewTopic(name, 2, (short) 1))).all().get();
    }
  }

  private static void send(LocalStack stack, Topic<String, String> topic, String... values)
      throws Exception {
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
        "bootstrap.servers", stack.bootstrapServers()), Serdes.String().serializer(),
        Serdes.String().serializer())) {
      for (String value : values) {
        producer.send(new ProducerRecord<>(topic.name(), "one-key", value)).get();
      }
    }
  }
}
