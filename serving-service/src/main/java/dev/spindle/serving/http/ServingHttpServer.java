package dev.spindle.serving.http;

import dev.spindle.schemas.ImageIds;
import dev.spindle.model.UndecodableImageException;
import dev.spindle.serving.holder.ModelHolder;
import dev.spindle.serving.holder.Scores;
import dev.spindle.serving.holder.ServedModel;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Supplier;

/**
 * The HTTP API: {@code POST /v1/predict} (image bytes), {@code GET /v1/models},
 * {@code POST /v1/models/{version}/pin}, {@code POST /v1/models/rollback},
 * {@code POST /v1/models/unpin} (admin token required), {@code GET /healthz},
 * {@code GET /metrics}, {@code GET /dashboard} and its data {@code GET /v1/dashboard}. Errors are {@code {"error": code, "message": text}}.
 */
public final class ServingHttpServer implements AutoCloseable {
  /** What the server reports and counts; the service supplies it. */
  public interface Observer {
    void predicted(String outcome, long startedNanos);

    /** The preprocessed pixels of an answered image (a sample for the drift monitor). */
    void served(float[] pixels);

    String metrics() throws java.io.IOException;
  }

  private final ModelHolder holder;
  private final Set<String> adminTokens;
  private final int topK;
  private final long maxBytes;
  private final Observer observer;
  private final Supplier<Map<String, Object>> health;
  private Supplier<Map<String, Object>> dashboard = Map::of;
  private Javalin app;

  public ServingHttpServer(ModelHolder holder, Set<String> adminTokens, int topK, long maxBytes,
      Observer observer, Supplier<Map<String, Object>> health) {
    this.holder = holder;
    this.adminTokens = Set.copyOf(adminTokens);
    this.topK = topK;
    this.maxBytes = maxBytes;
    this.observer = observer;
    this.health = health;
  }

  /** Serves {@code GET /dashboard} (the page) and {@code GET /v1/dashboard} (its data). */
  public ServingHttpServer withDashboard(Supplier<Map<String, Object>> data) {
    this.dashboard = data;
    return this;
  }

  public ServingHttpServer start(String host, int port) {
    app = Javalin.create(config -> {
      config.showJavalinBanner = false;
      config.http.maxRequestSize = maxBytes + 1;
    });
    app.post("/v1/predict", this::predict);
    app.get("/v1/models", ctx -> ctx.json(models()));
    app.post("/v1/models/rollback", ctx -> admin(ctx, () -> describe(holder.rollback())));
    app.post("/v1/models/unpin", ctx -> admin(ctx,
        () -> holder.unpin().map(this::describe).orElse(Map.of("serving", "none"))));
    app.post("/v1/models/{version}/pin", ctx -> admin(ctx,
        () -> describe(holder.pin(Long.parseLong(ctx.pathParam("version"))))));
    app.get("/dashboard", ctx -> ctx.contentType("text/html; charset=utf-8").result(page()));
    app.get("/v1/dashboard", ctx -> ctx.json(dashboard.get()));
    app.get("/healthz", ctx -> {
      Map<String, Object> report = health.get();
      ctx.status("UP".equals(report.get("status")) ? 200 : 503).json(report);
    });
    app.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8")
        .result(observer.metrics()));
    app.start(host, port);
    return this;
  }

  private static byte[] page() throws java.io.IOException {
    try (var in = ServingHttpServer.class.getResourceAsStream("/dashboard/dashboard.html")) {
      if (in == null) {
        throw new java.io.FileNotFoundException("dashboard/dashboard.html is not on the class path");
      }
      return in.readAllBytes();
    }
  }

  public int port() {
    return app.port();
  }

  private void predict(Context ctx) {
    long started = System.nanoTime();
    byte[] body = ctx.bodyAsBytes();
    if (body.length == 0) {
      error(ctx, 400, "empty_body", "send the image bytes (PNG or JPEG) as the request body",
          started);
      return;
    }
    if (body.length > maxBytes) {
      error(ctx, 413, "too_large", "image is " + body.length + " bytes; the limit is " + maxBytes,
          started);
      return;
    }
    Optional<ServedModel> current = holder.current();
    if (current.isEmpty()) {
      ctx.header("Retry-After", "30");
      error(ctx, 503, "no_model", "no model has been promoted yet; predictions start with the "
          + "first model the trainer publishes", started);
      return;
    }
    ServedModel model = current.get();
    float[] pixels;
    try {
      pixels = model.preprocessor().pixels(body);
    } catch (UndecodableImageException e) {
      error(ctx, 400, "undecodable", e.getMessage(), started);
      return;
    }
    Scores scores = Scores.of(model.probabilities(List.of(pixels))[0], model.classNames(), topK);
    observer.served(pixels);
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("imageId", ImageIds.of(body));
    answer.put("label", scores.label());
    answer.put("confidence", scores.confidence());
    answer.put("topK", scores.topK());
    answer.put("entropy", scores.entropy());
    answer.put("margin", scores.margin());
    answer.put("modelVersion", model.version());
    answer.put("backboneVersion", model.backboneVersion());
    // the service's own time, so a client can tell it from the network's (W3C Server-Timing)
    ctx.header("Server-Timing", String.format(java.util.Locale.ROOT, "predict;dur=%.3f",
        (System.nanoTime() - started) / 1e6));
    ctx.json(answer);
    observer.predicted("ok", started);
  }

  private Map<String, Object> models() {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("serving", holder.current().map(ServedModel::version).orElse(null));
    out.put("pinned", holder.pinned().orElse(null));
    out.put("history", holder.history());
    return out;
  }

  private Map<String, Object> describe(ServedModel model) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("serving", model.version());
    out.put("pinned", holder.pinned().orElse(null));
    return out;
  }

  private void admin(Context ctx, Callable<Map<String, Object>> action) throws Exception {
    if (adminTokens.isEmpty()) {
      ctx.status(403).json(Map.of("error", "admin_disabled", "message",
          "model administration is off: set serving.admin.tokens"));
      return;
    }
    String header = Optional.ofNullable(ctx.header("Authorization")).orElse("");
    byte[] presented = header.replaceFirst("^Bearer ", "").getBytes(StandardCharsets.UTF_8);
    boolean allowed = header.startsWith("Bearer ") && adminTokens.stream().anyMatch(
        t -> MessageDigest.isEqual(t.getBytes(StandardCharsets.UTF_8), presented));
    if (!allowed) {
      ctx.status(401).json(Map.of("error", "unauthorized", "message",
          "send 'Authorization: Bearer <admin token>'"));
      return;
    }
    try {
      ctx.json(action.call());
    } catch (NoSuchElementException | NumberFormatException e) {
      ctx.status(404).json(Map.of("error", "unknown_model", "message", e.getMessage()));
    } catch (IllegalStateException e) {
      ctx.status(409).json(Map.of("error", "conflict", "message", e.getMessage()));
    }
  }

  private void error(Context ctx, int status, String code, String message, long started) {
    ctx.status(status).json(Map.of("error", code, "message", message));
    observer.predicted(code, started);
  }


  @Override
  public void close() {
    if (app != null) {
      app.stop();
    }
  }
}
