package dev.spindle.ingest;

import dev.spindle.ingest.http.BatchLimits;
import dev.spindle.ingest.validation.ImageLimits;
import dev.spindle.ingest.validation.LabelNames;
import dev.spindle.schemas.config.ClientSettings;
import dev.spindle.schemas.config.Settings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Everything ingest-service reads from configuration, with its defaults in one place. Keys
 * (environment variable in brackets):
 * <ul>
 *   <li>{@code kafka.bootstrap.servers} [SPINDLE_KAFKA_BOOTSTRAP_SERVERS], required;
 *       any other {@code kafka.*} key passes through to every Kafka client</li>
 *   <li>{@code schema.registry.url} [SPINDLE_SCHEMA_REGISTRY_URL], required</li>
 *   <li>{@code ingest.http.host} (0.0.0.0), {@code ingest.http.port} (8080)</li>
 *   <li>{@code ingest.max.bytes} (10 MB), {@code ingest.max.pixels} (40,000,000)</li>
 *   <li>{@code ingest.batch.max.images} (1000), {@code ingest.batch.max.bytes} (64 MiB): the
 *       most one {@code POST /v1/images/batch} may hold</li>
 *   <li>{@code ingest.publish.timeout.ms} (10000): longest wait for the broker's ack before 503</li>
 *   <li>{@code ingest.bulk.linger.ms} (25): how long bulk images (the bulk loader's, a batch
 *       upload's) wait for their producer batch to fill; single uploads are sent at once</li>
 *   <li>{@code ingest.retry.after.seconds} (5): the Retry-After of a 503</li>
 *   <li>{@code ingest.auth.tokens}: comma-separated bearer tokens; empty disables auth</li>
 *   <li>{@code labels.classes}: comma-separated class names (Fashion-MNIST's by default)</li>
 *   <li>{@code topics.partitions} (3), {@code topics.replication.factor} (1)</li>
 *   <li>{@code ingest.join.enabled} (true), {@code ingest.join.application.id}
 *       (spindle-label-join), {@code ingest.state.dir} (.spindle/state/ingest)</li>
 * </ul>
 */
public record IngestConfig(
    ClientSettings clients,
    String httpHost,
    int httpPort,
    ImageLimits limits,
    BatchLimits batchLimits,
    Duration publishTimeout,
    Duration bulkLinger,
    int retryAfterSeconds,
    Set<String> authTokens,
    LabelNames labelNames,
    int partitions,
    short replicationFactor,
    boolean joinEnabled,
    String joinApplicationId,
    Path stateDir) {

  public static IngestConfig from(Settings s) {
    return new IngestConfig(
        ClientSettings.from(s),
        s.get("ingest.http.host", "0.0.0.0"),
        s.getInt("ingest.http.port", 8080),
        new ImageLimits(s.getLong("ingest.max.bytes", ImageLimits.DEFAULT_MAX_BYTES),
            s.getLong("ingest.max.pixels", ImageLimits.DEFAULT_MAX_PIXELS)),
        new BatchLimits(s.getInt("ingest.batch.max.images", BatchLimits.DEFAULT_MAX_IMAGES),
            s.getLong("ingest.batch.max.bytes", BatchLimits.DEFAULT_MAX_BYTES)),
        s.getMillis("ingest.publish.timeout.ms", Duration.ofSeconds(10)),
        s.getMillis("ingest.bulk.linger.ms", Duration.ofMillis(25)),
        s.getInt("ingest.retry.after.seconds", 5),
        Arrays.stream(s.get("ingest.auth.tokens", "").split(","))
            .map(String::trim).filter(t -> !t.isEmpty()).collect(Collectors.toUnmodifiableSet()),
        new LabelNames(dev.spindle.schemas.ClassNames.from(s)),
        s.getInt("topics.partitions", 3),
        (short) s.getInt("topics.replication.factor", 1),
        s.getBoolean("ingest.join.enabled", true),
        s.get("ingest.join.application.id", "spindle-label-join"),
        Path.of(s.get("ingest.state.dir", ".spindle/state/ingest")));
  }

  /** Class names, in label-index order. */
  public List<String> classNames() {
    return labelNames.names();
  }
}
