package dev.spindle.serving;

import dev.spindle.schemas.config.ClientSettings;
import dev.spindle.schemas.config.Settings;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Everything serving-service reads from configuration, with its defaults in one place:
 * <ul>
 *   <li>{@code kafka.bootstrap.servers}, {@code schema.registry.url}: required</li>
 *   <li>{@code serving.model.name} (fashion-mnist): which models to serve</li>
 *   <li>{@code serving.http.host} (0.0.0.0), {@code serving.http.port} (8083)</li>
 *   <li>{@code serving.admin.tokens}: bearer tokens for pin/rollback/unpin; without any, those
 *       endpoints answer 403</li>
 *   <li>{@code serving.gate.margin} (0.01), {@code serving.gate.min.z} (1.645): a new model is
 *       rejected when it is worse on the gating set by more than the margin and McNemar's
 *       paired z reaches min.z (see {@link dev.spindle.serving.holder.GatePolicy})</li>
 *   <li>{@code serving.gate.max.images} (2000), {@code trainer.validation.percent} (20): the
 *       gating set is the newest validation-split images of {@code images.labeled}, by the
 *       trainer's rule</li>
 *   <li>{@code serving.top.k} (3), {@code serving.max.bytes} (10 MB)</li>
 *   <li>{@code serving.stream.enabled} (true), {@code serving.application.id}
 *       (spindle-serving), {@code serving.state.dir} (.spindle/state/serving): the
 *       exactly-once prediction stream; {@code serving.batch.size} (64) and
 *       {@code serving.batch.linger.ms} (5): its micro-batches</li>
 *   <li>{@code serving.label.requests.enabled} (true), {@code .measure} (margin or entropy),
 *       {@code .balanced} (true: an equal share per predicted class),
 *       {@code .per.window} (20, per stream task, i.e. per partition), {@code .window.seconds} (60),
 *       {@code .representatives} (10: one representative of each of per.window regions of the
 *       10 x per.window least sure; 0: the per.window least sure themselves): label requests</li>
 *   <li>{@code serving.inference.threads} (1): ND4J/OpenMP threads per inference. Requests
 *       and stream batches run in parallel on their own network copies, so one thread each
 *       uses the cores without oversubscribing them; measured on 2 cores (with
 *       OMP_NUM_THREADS=1 at JVM start), 1 instead of 2 halved HTTP p99, nearly doubled
 *       requests/s and raised the stream from ~475 to 710-835/s. 0 keeps ND4J's default</li>
 *   <li>{@code serving.drift.interval.seconds} (30): how often the backbone's rotation
 *       accuracy on recent traffic (label-free health) is measured</li>
 * </ul>
 */
public record ServingConfig(
    ClientSettings clients,
    String modelName,
    String httpHost,
    int httpPort,
    Set<String> adminTokens,
    dev.spindle.serving.holder.GatePolicy gate,
    int gateMaxImages,
    int validationPercent,
    int topK,
    long maxBytes,
    boolean streamEnabled,
    String applicationId,
    java.nio.file.Path stateDir,
    int batchSize,
    long batchLingerMs,
    dev.spindle.serving.stream.LabelRequestPolicy labelRequests,
    java.time.Duration driftInterval,
    int inferenceThreads) {

  public static ServingConfig from(Settings s) {
    return new ServingConfig(
        ClientSettings.from(s),
        s.get("serving.model.name", "fashion-mnist"),
        s.get("serving.http.host", "0.0.0.0"),
        s.getInt("serving.http.port", 8083),
        Arrays.stream(s.get("serving.admin.tokens", "").split(","))
            .map(String::trim).filter(t -> !t.isEmpty()).collect(Collectors.toUnmodifiableSet()),
        new dev.spindle.serving.holder.GatePolicy(
            Double.parseDouble(s.get("serving.gate.margin", "0.01")),
            Double.parseDouble(s.get("serving.gate.min.z",
                Double.toString(dev.spindle.serving.holder.GatePolicy.DEFAULT_MIN_Z)))),
        s.getInt("serving.gate.max.images", 2000),
        s.getInt("trainer.validation.percent", 20),
        s.getInt("serving.top.k", 3),
        s.getLong("serving.max.bytes", 10L << 20),
        s.getBoolean("serving.stream.enabled", true),
        s.get("serving.application.id", "spindle-serving"),
        java.nio.file.Path.of(s.get("serving.state.dir", ".spindle/state/serving")),
        s.getInt("serving.batch.size", 64),
        s.getLong("serving.batch.linger.ms", 5),
        new dev.spindle.serving.stream.LabelRequestPolicy(
            s.getBoolean("serving.label.requests.enabled", true),
            s.get("serving.label.requests.measure", "margin"),
            s.getInt("serving.label.requests.per.window", 20),
            java.time.Duration.ofSeconds(s.getLong("serving.label.requests.window.seconds", 60)),
            s.getBoolean("serving.label.requests.balanced", true),
            s.getInt("serving.label.requests.representatives", 10)),
        java.time.Duration.ofSeconds(s.getLong("serving.drift.interval.seconds", 30)),
        s.getInt("serving.inference.threads", 1));
  }
}
