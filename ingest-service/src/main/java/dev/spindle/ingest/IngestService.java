package dev.spindle.ingest;

import dev.spindle.ingest.http.HealthCheck;
import dev.spindle.ingest.http.IngestHttpServer;
import dev.spindle.ingest.join.LabelJoinApp;
import dev.spindle.ingest.publish.RecordSender;
import dev.spindle.schemas.TopicProvisioner;
import dev.spindle.schemas.Topics;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.admin.Admin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ingest-service as a whole: creates the topics, rebuilds the dedup index, then serves the
 * HTTP API and runs the label join until closed.
 */
public final class IngestService implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(IngestService.class);

  private final IngestConfig config;
  private RecordSender sender;
  private RecordSender bulkSender;
  private IngestPipeline pipeline;
  private LabelJoinApp join;
  private HealthCheck health;
  private IngestHttpServer http;

  public IngestService(IngestConfig config) {
    this.config = config;
  }

  public IngestService start() {
    provisionTopics(config);
    Topics topics = Topics.create(config.clients().serde());
    sender = RecordSender.create(config.clients(), config.publishTimeout());
    // batch uploads: their batches may wait to fill, as each answer waits for all its images
    bulkSender = RecordSender.forBulk(config.clients(), config.publishTimeout(),
        config.bulkLinger());
    pipeline = IngestPipeline.create(config, topics, sender, bulkSender);
    if (config.joinEnabled()) {
      join = new LabelJoinApp(config.clients(), topics, config.joinApplicationId(),
          config.stateDir(), config.replicationFactor());
      join.start();
    }
    health = new HealthCheck(config.clients(),
        () -> Optional.ofNullable(join).map(j -> j.state().name()).orElse("DISABLED"));
    http = new IngestHttpServer(pipeline, health, config.publishTimeout(),
        config.retryAfterSeconds(), config.authTokens(), config.batchLimits()).start(config.httpHost(), config.httpPort());
    log.info("ingest-service ready: kafka {} registry {}", config.clients().bootstrapServers(),
        config.clients().registryUrl());
    return this;
  }

  /** Creates the contract's missing topics. */
  public static void provisionTopics(IngestConfig config) {
    try (Admin admin = Admin.create(config.clients().kafkaWith(Map.of()))) {
      TopicProvisioner.ensureTopics(admin, config.partitions(), config.replicationFactor());
    }
  }

  /** Whether this instance would answer {@code duplicate: true} for image {@code id} now. */
  public boolean knows(String imageId) {
    return pipeline.knows(imageId);
  }

  public int httpPort() {
    return http.port();
  }

  @Override
  public void close() {
    if (http != null) {
      http.close();
    }
    if (join != null) {
      join.close();
    }
    if (health != null) {
      health.close();
    }
    if (pipeline != null) {
      pipeline.close();
    }
    if (sender != null) {
      sender.close();
    }
    if (bulkSender != null) {
      bulkSender.close();
    }
    log.info("ingest-service stopped");
  }
}
