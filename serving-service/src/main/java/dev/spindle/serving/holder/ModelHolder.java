package dev.spindle.serving.holder;

import dev.spindle.model.artifact.ArtifactIntegrityException;
import dev.spindle.model.artifact.LoadedModel;
import dev.spindle.schemas.avro.ModelVersion;
import java.net.URI;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds the model that answers requests and decides which model that is. An offered version
 * is fetched, checksum-verified, loaded, warmed up and scored on the gating set, all off the
 * request path; it is promoted unless its {@link GatePolicy} finds it worse than the serving
 * model (beyond a margin, and not by chance), and then swapped in atomically (requests in
 * flight finish on the model they started with, so none fails). A corrupt, unloadable or worse model is rejected with the
 * reason and the current one keeps serving. Accepted models stay loaded for rollback and pin.
 */
public final class ModelHolder {
  /** Loads and verifies an artifact (ModelStore::load in production). */
  @FunctionalInterface
  public interface Loader {
    LoadedModel load(URI uri, String sha256) throws ArtifactIntegrityException;
  }

  public static final String SERVING = "SERVING";
  public static final String STANDBY = "STANDBY";
  public static final String REJECTED = "REJECTED";
  private static final Logger log = LoggerFactory.getLogger(ModelHolder.class);
  private static final int KEEP_LOADED = 5;
  /** Records kept for {@link #history}: a trainer publishes for as long as labels come. */
  static final int HISTORY_KEPT = 1_000;

  private final AtomicReference<ServedModel> current = new AtomicReference<>();
  private final Map<Long, ServedModel> loaded = new LinkedHashMap<>();
  private final Map<Long, ModelRecord> records = new LinkedHashMap<>();
  private final Loader loader;
  private final Supplier<GatingSet> gating;
  private final GatePolicy gate;
  private final Clock clock;
  private final int historyKept;
  private Long pinned;
  private long swaps;

  public ModelHolder(Loader loader, Supplier<GatingSet> gating, GatePolicy gate, Clock clock) {
    this(loader, gating, gate, clock, HISTORY_KEPT);
  }

  ModelHolder(Loader loader, Supplier<GatingSet> gating, GatePolicy gate, Clock clock,
      int historyKept) {
    this.loader = loader;
    this.gating = gating;
    this.gate = gate;
    this.clock = clock;
    this.historyKept = historyKept;
  }

  /** The serving model, if any: lock-free, for the request path. */
  public Optional<ServedModel> current() {
    return Optional.ofNullable(current.get());
  }

  /** Judges an offered version; returns what was decided. Replays of a known version are no-ops. */
  public synchronized ModelRecord offer(ModelVersion event) {
    ModelRecord known = records.get(event.getVersion());
    if (known != null) {
      return known;
    }
    ServedModel serving = current.get();
    if (serving != null && event.getVersion() < serving.version()) {
      return reject(event, Double.NaN, "older than the serving version v" + serving.version());
    }
    ServedModel candidate;
    try {
      candidate = new ServedModel(loader.load(URI.create(event.getArtifactUri()), event.getSha256()));
      candidate.warmUp();
    } catch (ArtifactIntegrityException | RuntimeException e) {
      return reject(event, Double.NaN, "unusable artifact: " + e.getMessage());
    }
    GatingSet set = gating.get();
    double accuracy;
    String judgement;
    if (serving == null) {
      accuracy = set.accuracy(candidate);
      judgement = "first model";
    } else {
      GatingSet.Comparison vs = set.compare(candidate, serving);
      accuracy = vs.candidateAccuracy();
      String figures = String.format("gating accuracy %.4f vs serving v%d's %.4f (%d images; "
              + "only candidate right %d, only serving right %d, paired z %.2f)", accuracy,
          serving.version(), vs.servingAccuracy(), vs.scored(), vs.onlyCandidateRight(),
          vs.onlyServingRight(), vs.z());
      if (gate.rejects(vs)) {
        return reject(event, accuracy, "worse than serving v" + serving.version() + " by more "
            + "than the margin " + gate.margin() + " and beyond chance (z >= " + gate.minZ()
            + "): " + figures);
      }
      judgement = vs.scored() == 0 ? "no gating data: promoted on trust" : figures;
    }
    loaded.put(candidate.version(), candidate);
    ModelRecord record = new ModelRecord(candidate.version(), candidate.backboneVersion(), STANDBY,
        judgement, accuracy, event.getMetrics() == null ? Map.of() : copy(event.getMetrics()),
        clock.instant());
    records.put(candidate.version(), record);
    if (pinned == null) {
      swapTo(candidate);
    } else {
      log.info("model v{} accepted ({}), not serving: pinned to v{}", candidate.version(),
          judgement, pinned);
    }
    evictOld();
    return records.get(candidate.version());
  }

  /**
   * Of what the models topic held when serving started, the versions worth judging: the newest
   * {@value #KEEP_LOADED} not judged yet, oldest first, for {@link #offer} (the first is judged
   * as a first model when none serves). Only that many can stay loaded; judging every version
   * ever published would load, warm up and score each in turn (~0.09 s each on 2 cores, so
   * minutes for a long-lived topic), serving stale ones meanwhile.
   */
  public synchronized List<ModelVersion> worthJudging(List<ModelVersion> backlog) {
    TreeMap<Long, ModelVersion> unjudged = new TreeMap<>();
    for (ModelVersion event : backlog) {
      if (!records.containsKey(event.getVersion())) {
        unjudged.putIfAbsent(event.getVersion(), event);
      }
    }
    List<ModelVersion> all = new ArrayList<>(unjudged.values());
    List<ModelVersion> newest = all.subList(Math.max(0, all.size() - KEEP_LOADED), all.size());
    if (newest.size() < all.size()) {
      log.info("the models topic holds {} versions not judged yet (v{}..v{}): judging the "
          + "newest {}, from v{}", all.size(), unjudged.firstKey(), unjudged.lastKey(),
          newest.size(), newest.get(0).getVersion());
    }
    return List.copyOf(newest);
  }

  /** Serves {@code version} (an accepted one) until {@link #unpin()}. */
  public synchronized ServedModel pin(long version) {
    ServedModel model = loaded.get(version);
    if (model == null) {
      throw new NoSuchElementException("model v" + version + " is not loaded: "
          + (records.containsKey(version) ? records.get(version).status() + " ("
              + records.get(version).reason() + ")" : "never offered")
          + "; loaded versions: " + loaded.keySet());
    }
    pinned = version;
    swapTo(model);
    return model;
  }

  /** Lets the newest accepted model serve again, and new ones be promoted. */
  public synchronized Optional<ServedModel> unpin() {
    pinned = null;
    loaded.values().stream().reduce((a, b) -> b).ifPresent(this::swapTo);
    return current();
  }

  /** Serves the accepted model before the current one, pinned there. */
  public synchronized ServedModel rollback() {
    ServedModel serving = current.get();
    ServedModel previous = null;
    for (ServedModel model : loaded.values()) {
      if (serving != null && model.version() < serving.version()) {
        previous = model;
      }
    }
    if (previous == null) {
      throw new IllegalStateException("no earlier accepted model to roll back to (loaded: "
          + loaded.keySet() + ")");
    }
    return pin(previous.version());
  }

  public synchronized Optional<Long> pinned() {
    return Optional.ofNullable(pinned);
  }

  /** Every offered version, oldest first, with its status and reason. */
  public synchronized List<ModelRecord> history() {
    return new ArrayList<>(records.values());
  }

  public synchronized long swaps() {
    return swaps;
  }

  private void swapTo(ServedModel model) {
    ServedModel previous = current.getAndSet(model);
    if (previous != model) {
      swaps++;
      records.replaceAll((v, r) -> r.status().equals(REJECTED) ? r
          : r.withStatus(v == model.version() ? SERVING : STANDBY));
      log.info("now serving model v{} (backbone v{}){}", model.version(), model.backboneVersion(),
          previous == null ? "" : ", was v" + previous.version());
    }
  }

  private ModelRecord reject(ModelVersion event, double accuracy, String reason) {
    ModelRecord record = new ModelRecord(event.getVersion(), event.getBackboneVersion(), REJECTED,
        reason, accuracy, event.getMetrics() == null ? Map.of() : copy(event.getMetrics()),
        clock.instant());
    records.put(event.getVersion(), record);
    log.warn("model v{} rejected: {}", event.getVersion(), reason);
    forgetOldRecords();
    return record;
  }

  private void evictOld() {
    while (loaded.size() > KEEP_LOADED) {
      Long oldest = loaded.keySet().iterator().next();
      ServedModel serving = current.get();
      if (serving != null && serving.version() == oldest) {
        break;
      }
      loaded.remove(oldest);
    }
    forgetOldRecords();
  }

  /** The oldest records beyond {@link #historyKept} go, except those of loaded models. */
  private void forgetOldRecords() {
    var oldestFirst = records.keySet().iterator();
    while (records.size() > historyKept && oldestFirst.hasNext()) {
      if (!loaded.containsKey(oldestFirst.next())) {
        oldestFirst.remove();
      }
    }
  }

  private static Map<String, Double> copy(Map<? extends CharSequence, Double> metrics) {
    Map<String, Double> out = new LinkedHashMap<>();
    metrics.forEach((k, v) -> out.put(k.toString(), v));
    return out;
  }
}
