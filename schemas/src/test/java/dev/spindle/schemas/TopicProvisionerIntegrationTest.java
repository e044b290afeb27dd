package dev.spindle.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spindle.stack.LocalStack;
import dev.spindle.stack.LocalStackExtension;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

@Tag("integration")
@Timeout(120)
@ExtendWith(LocalStackExtension.class)
class TopicProvisionerIntegrationTest {

  @Test
  void shouldKeepLabeledImagesAndLabelsByKeyNotByAgeAlsoOnTopicsCreatedWithoutThat(
      LocalStack stack) throws Exception {
    try (Admin admin = Admin.create(Map.of(
        AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers()))) {
      // as an earlier version (or an operator) created it: deleted by age
      admin.createTopics(List.of(new NewTopic(TopicNames.IMAGES_LABELED, 3, (short) 1)))
          .all().get(30, TimeUnit.SECONDS);
      assertThat(cleanupPolicy(admin, TopicNames.IMAGES_LABELED))
          .isEqualTo(TopicConfig.CLEANUP_POLICY_DELETE);

      TopicProvisioner.ensureTopics(admin, 3, (short) 1);

      assertThat(admin.listTopics().names().get()).containsAll(TopicNames.ALL);
      for (String topic : List.of(TopicNames.IMAGES_LABELED, TopicNames.LABELS,
          TopicNames.MODELS)) {
        assertThat(cleanupPolicy(admin, topic)).as(topic)
            .isEqualTo(TopicConfig.CLEANUP_POLICY_COMPACT);
      }
      assertThat(cleanupPolicy(admin, TopicNames.IMAGES_UNLABELED))
          .isEqualTo(TopicConfig.CLEANUP_POLICY_DELETE);
    }
  }

  private static String cleanupPolicy(Admin admin, String topic) throws Exception {
    ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
    return admin.describeConfigs(List.of(resource)).all().get(30, TimeUnit.SECONDS)
        .get(resource).get(TopicConfig.CLEANUP_POLICY_CONFIG).value();
  }
}
