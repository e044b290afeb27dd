package dev.spindle.schemas.config;

import dev.spindle.schemas.serde.AvroSerdeConfig;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerConfig;

/**
 * How every service reaches Kafka and the registry. Any {@code kafka.*} setting passes through
 * to every producer, consumer, admin client and Streams app (SASL, TLS, timeouts), and any
 * {@code schema.registry.*} or {@code basic.auth.*} setting to every serde.
 *
 * @param kafka client properties, {@code bootstrap.servers} included
 * @param serde serde properties, {@code schema.registry.url} included
 */
public record ClientSettings(Map<String, Object> kafka, Map<String, Object> serde) {
  public static final String BOOTSTRAP_KEY = "kafka.bootstrap.servers";
  public static final String REGISTRY_KEY = "schema.registry.url";

  public ClientSettings {
    kafka = Map.copyOf(kafka);
    serde = Map.copyOf(serde);
  }

  public static ClientSettings from(Settings settings) {
    Map<String, Object> kafka = new HashMap<>(settings.withPrefix("kafka."));
    kafka.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, settings.require(BOOTSTRAP_KEY));
    Map<String, Object> serde = new HashMap<>();
    settings.withPrefix("schema.registry.").forEach((k, v) -> serde.put("schema.registry." + k, v));
    settings.withPrefix("basic.auth.").forEach((k, v) -> serde.put("basic.auth." + k, v));
    settings.withPrefix("auto.register.").forEach((k, v) -> serde.put("auto.register." + k, v));
    serde.put(AvroSerdeConfig.SCHEMA_REGISTRY_URL, settings.require(REGISTRY_KEY));
    return new ClientSettings(kafka, serde);
  }

  /** Kafka client properties with {@code overrides} on top. */
  public Map<String, Object> kafkaWith(Map<String, Object> overrides) {
    Map<String, Object> out = new HashMap<>(kafka);
    out.putAll(overrides);
    return out;
  }

  /**
   * Kafka properties for a consumer that places itself (assign and seek) and reads what
   * transactions committed: no auto-commit, read_committed and, should its position fall
   * before the log's start while it reads (retention deleted those records), going on from the
   * oldest record left instead of the client's default, the end of the log, which would skip
   * everything between. {@code overrides} on top.
   */
  public Map<String, Object> followerWith(Map<String, Object> overrides) {
    Map<String, Object> out = kafkaWith(Map.of(
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"));
    out.putAll(overrides);
    return out;
  }

  public String bootstrapServers() {
    return kafka.get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG).toString();
  }

  public String registryUrl() {
    return serde.get(AvroSerdeConfig.SCHEMA_REGISTRY_URL).toString();
  }
}
