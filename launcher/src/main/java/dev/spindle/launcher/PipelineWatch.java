package dev.spindle.launcher;

import dev.spindle.model.artifact.ModelManifest;
import dev.spindle.model.artifact.ModelStore;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Watches the three services from the outside, the way an operator's dashboard would: scrapes
 * their {@code /metrics}, turns counters into rates for the progress line, and notes when each
 * model version starts being served (reading its manifest from the model store).
 */
final class PipelineWatch {
  /** One scrape of the three services. */
  record Snapshot(long atNanos, double imagesAccepted, double labelsAccepted,
      double pretrainSteps, double pretextAccuracy, double trainerModelVersion,
      double trainerValidationAccuracy, double servingVersion, double swaps,
      double streamPredictions, double labelRequests, double rotationAccuracyRecent,
      double rejectedOffers, double pretrainingPaused) {
  }

  /** A model version serving-service started serving, and when. */
  record Served(ModelManifest manifest, long servedAtNanos) {
  }

  private static final int IMAGES_PER_STEP = 64 * 4;
  private final HttpClient http = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(2)).build();
  private final URI ingest;
  private final URI trainer;
  private final URI serving;
  private final Path modelDir;
  private final Map<Long, Served> served = new LinkedHashMap<>();
  private final Map<Long, String> rejected = new LinkedHashMap<>();
  private final ObjectMapper json = new ObjectMapper();
  private Snapshot last;

  PipelineWatch(URI ingest, URI trainer, URI serving, Path modelDir) {
    this.ingest = ingest;
    this.trainer = trainer;
    this.serving = serving;
    this.modelDir = modelDir;
  }

  /** Scrapes every service; a version seen serving for the first time is recorded. */
  Snapshot poll() {
    MetricsText in = scrape(ingest);
    MetricsText tr = scrape(trainer);
    MetricsText sv = scrape(serving);
    Snapshot now = new Snapshot(System.nanoTime(),
        in.total("spindle_ingest_accepted_total", "topic=\"images."),
        in.total("spindle_ingest_accepted_total", "topic=\"labels\""),
        tr.total("spindle_trainer_pretrain_steps_total"),
        tr.value("spindle_trainer_pretext_accuracy"),
        tr.value("spindle_trainer_model_version"),
        tr.value("spindle_trainer_model_validation_accuracy"),
        sv.value("spindle_serving_model_version"),
        sv.value("spindle_serving_model_swaps"),
        sv.total("spindle_serving_stream_predictions_total"),
        sv.total("spindle_serving_label_requests_total"),
        sv.value("spindle_serving_rotation_accuracy"),
        sv.total("spindle_serving_model_offers_total", "decision=\"REJECTED\""),
        tr.value("spindle_trainer_pretraining_paused"));
    long version = Double.isNaN(now.servingVersion()) ? 0 : (long) now.servingVersion();
    if (version > 0 && !served.containsKey(version)) {
      try {
        served.put(version, new Served(
            ModelStore.readManifest(modelDir.resolve("v" + version)), now.atNanos()));
      } catch (IOException e) {
        Console.step("serving v" + version + " but its manifest is unreadable: " + e);
      }
    }
    return now;
  }

  /**
   * Versions serving-service rejected since the last call, with its reasons (from
   * {@code GET /v1/models}, asked only when {@code now} counts more rejections than were
   * reported); each is reported once.
   */
  Map<Long, String> newlyRejected(Snapshot now) {
    Map<Long, String> fresh = new LinkedHashMap<>();
    if (!(now.rejectedOffers() > rejected.size())) {
      return fresh;
    }
    try {
      HttpResponse<String> response = http.send(HttpRequest.newBuilder(serving.resolve("/v1/models"))
          .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
      for (JsonNode record : json.readTree(response.body()).path("history")) {
        long version = record.path("version").asLong();
        if ("REJECTED".equals(record.path("status").asText()) && !rejected.containsKey(version)) {
          rejected.put(version, record.path("reason").asText());
          fresh.put(version, record.path("reason").asText());
        }
      }
    } catch (IOException e) {
      // serving is busy or restarting: the next call sees the same history
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return fresh;
  }

  /** Every rejection seen so far: version to reason. */
  Map<Long, String> rejected() {
    return new LinkedHashMap<>(rejected);
  }

  /** The progress line: totals, and rates since the previous call. */
  String progress(Snapshot now) {
    Snapshot before = last == null ? now : last;
    last = now;
    double seconds = Math.max(1e-9, (now.atNanos() - before.atNanos()) / 1e9);
    return String.format("ingested %,.0f images (%.0f/s), %,.0f late labels | pretraining step %,.0f "
            + "(%.0f samples/s%s), rotation acc %s | trainer model v%s (val %s) | serving v%s, "
            + "%,.0f predictions (%.0f/s), %,.0f label requests",
        now.imagesAccepted(), (now.imagesAccepted() - before.imagesAccepted()) / seconds,
        now.labelsAccepted(), now.pretrainSteps(),
        (now.pretrainSteps() - before.pretrainSteps()) * IMAGES_PER_STEP / seconds,
        now.pretrainingPaused() == 1 ? ", paused for a transfer" : "",
        fraction(now.pretextAccuracy()), whole(now.trainerModelVersion()),
        fraction(now.trainerValidationAccuracy()), whole(now.servingVersion()),
        now.streamPredictions(), (now.streamPredictions() - before.streamPredictions()) / seconds,
        now.labelRequests());
  }

  /** Every version served so far, in the order it was first served. */
  List<Served> served() {
    return List.copyOf(served.values());
  }

  private MetricsText scrape(URI service) {
    try {
      HttpResponse<String> response = http.send(HttpRequest.newBuilder(service.resolve("/metrics"))
          .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
      return response.statusCode() == 200 ? MetricsText.parse(response.body()) : MetricsText.EMPTY;
    } catch (IOException e) {
      return MetricsText.EMPTY;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return MetricsText.EMPTY;
    }
  }

  private static String fraction(double v) {
    return Double.isNaN(v) || v == 0 ? "-" : String.format("%.3f", v);
  }

  private static String whole(double v) {
    return Double.isNaN(v) || v == 0 ? "-" : String.format("%.0f", v);
  }
}
