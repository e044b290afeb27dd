package dev.spindle.schemas;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the contract's topics that do not exist yet. Every image-keyed topic gets the same
 * partition count, because the label join co-partitions them. The compacted ones
 * ({@link TopicNames#COMPACTED}) are also switched to compaction where they exist without it
 * (created by an earlier version, or by hand), so that labels are never deleted by age.
 */
public final class TopicProvisioner {
  private static final Logger log = LoggerFactory.getLogger(TopicProvisioner.class);

  private TopicProvisioner() {
  }

  /** Creates missing topics, and turns compaction on where a compacted one lacks it. */
  public static void ensureTopics(Admin admin, int partitions, short replicationFactor) {
    try {
      Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
      List<NewTopic> missing = new ArrayList<>();
      for (String name : TopicNames.ALL) {
        if (!existing.contains(name)) {
          missing.add(newTopic(name, partitions, replicationFactor));
        }
      }
      compactWhereMissing(admin, TopicNames.COMPACTED.stream().filter(existing::contains)
          .toList());
      if (missing.isEmpty()) {
        return;
      }
      admin.createTopics(missing).values().forEach((name, future) -> awaitCreated(name, future));
      log.info("created topics {}", missing.stream().map(NewTopic::name).toList());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating topics", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("could not list topics on the broker: " + e.getMessage(), e);
    }
  }

  private static NewTopic newTopic(String name, int partitions, short replicationFactor) {
    NewTopic topic = new NewTopic(name, partitions, replicationFactor);
    if (TopicNames.COMPACTED.contains(name)) {
      topic.configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
    }
    return topic;
  }

  /** Sets cleanup.policy=compact on those of {@code topics} whose policy lacks it. */
  private static void compactWhereMissing(Admin admin, List<String> topics)
      throws InterruptedException {
    if (topics.isEmpty()) {
      return;
    }
    List<ConfigResource> resources = topics.stream()
        .map(name -> new ConfigResource(ConfigResource.Type.TOPIC, name)).toList();
    Map<ConfigResource, Config> configs;
    try {
      configs = admin.describeConfigs(resources).all().get(30, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      log.warn("could not read the cleanup.policy of {} ({}): they should be compacted",
          topics, reason(e));
      return;
    }
    for (ConfigResource topic : resources) {
      ConfigEntry policy = configs.get(topic).get(TopicConfig.CLEANUP_POLICY_CONFIG);
      String was = policy == null ? TopicConfig.CLEANUP_POLICY_DELETE : policy.value();
      if (was.contains(TopicConfig.CLEANUP_POLICY_COMPACT)) {
        continue;
      }
      try {
        admin.incrementalAlterConfigs(Map.of(topic, List.of(new AlterConfigOp(
            new ConfigEntry(TopicConfig.CLEANUP_POLICY_CONFIG,
                TopicConfig.CLEANUP_POLICY_COMPACT), AlterConfigOp.OpType.SET))))
            .all().get(30, TimeUnit.SECONDS);
        log.warn("topic {} had cleanup.policy={}: set to compact, so that its records are "
            + "kept by key and not deleted by age", topic.name(), was);
      } catch (ExecutionException | TimeoutException e) {
        log.warn("topic {} has cleanup.policy={} and could not be set to compact ({}): records "
            + "older than its retention will be deleted, and with them what services rebuild "
            + "from it at start; set cleanup.policy=compact on it", topic.name(), was,
            reason(e));
      }
    }
  }

  private static String reason(Exception e) {
    return (e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e)
        .toString();
  }

  private static void awaitCreated(String name, org.apache.kafka.common.KafkaFuture<Void> future) {
    try {
      future.get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof org.apache.kafka.common.errors.TopicExistsException)) {
        throw new IllegalStateException("could not create topic " + name + ": " + e.getCause(), e);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating topic " + name, e);
    } catch (TimeoutException e) {
      throw new IllegalStateException("timed out creating topic " + name, e);
    }
  }
}
