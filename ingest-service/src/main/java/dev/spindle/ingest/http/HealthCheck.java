package dev.spindle.ingest.http;

import dev.spindle.schemas.config.ClientSettings;
import dev.spindle.schemas.serde.AvroSerdeConfig;
import dev.spindle.schemas.serde.SchemaRegistryClient;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;

/** Whether ingest can do its job now: the broker and the registry answer, the join runs. */
public final class HealthCheck implements AutoCloseable {
  private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(2);
  private final Admin admin;
  private final SchemaRegistryClient registry;
  private final Supplier<String> joinState;

  public HealthCheck(ClientSettings clients, Supplier<String> joinState) {
    this.admin = Admin.create(clients.kafkaWith(Map.of(
        AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) PROBE_TIMEOUT.toMillis(),
        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) PROBE_TIMEOUT.toMillis())));
    Map<String, Object> serde = new java.util.HashMap<>(clients.serde());
    serde.put(AvroSerdeConfig.REQUEST_TIMEOUT_MS, PROBE_TIMEOUT.toMillis());
    this.registry = new SchemaRegistryClient(AvroSerdeConfig.from(serde));
    this.joinState = joinState;
  }

  /** A report with {@code status} UP only when every part is up. */
  public Map<String, String> report() {
    Map<String, String> parts = new LinkedHashMap<>();
    parts.put("kafka", brokerUp() ? "UP" : "DOWN");
    parts.put("registry", registry.isReachable() ? "UP" : "DOWN");
    String join = joinState.get();
    parts.put("labelJoin", join);
    boolean up = parts.get("kafka").equals("UP") && parts.get("registry").equals("UP")
        && !join.equals("ERROR") && !join.equals("NOT_RUNNING");
    Map<String, String> report = new LinkedHashMap<>();
    report.put("status", up ? "UP" : "DOWN");
    report.putAll(parts);
    return report;
  }

  private boolean brokerUp() {
    try {
      return !admin.describeCluster(new DescribeClusterOptions()
              .timeoutMs((int) PROBE_TIMEOUT.toMillis()))
          .nodes().get(PROBE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).isEmpty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (Exception e) {
      return false;
    }
  }

  @Override
  public void close() {
    admin.close(Duration.ofSeconds(5));
  }
}
