package dev.spindle.ingest.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.spindle.ingest.IngestPipeline;
import dev.spindle.ingest.publish.ImageUpload;
import dev.spindle.ingest.publish.IngestResult;
import dev.spindle.ingest.publish.PublishUnavailableException;
import dev.spindle.ingest.validation.RejectedInputException;
import dev.spindle.ingest.validation.Rejection;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP API: {@code POST /v1/images}, {@code POST /v1/labels}, {@code GET /healthz},
 * {@code GET /metrics}. A 202 is sent only after the broker acknowledged; bad input gets a 4xx
 * with {@code {"error": code, "message": text}}; a broker or registry that does not answer
 * within the publish timeout gets a 503 with {@code Retry-After}.
 */
public final class IngestHttpServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(IngestHttpServer.class);

  private final IngestPipeline pipeline;
  private final HealthCheck health;
  private final Duration publishTimeout;
  private final int retryAfterSeconds;
  private final ObjectMapper json = new ObjectMapper();
  private final Javalin app;

  public IngestHttpServer(IngestPipeline pipeline, HealthCheck health, Duration publishTimeout,
      int retryAfterSeconds, Set<String> authTokens) {
    this.pipeline = pipeline;
    this.health = health;
    this.publishTimeout = publishTimeout;
    this.retryAfterSeconds = retryAfterSeconds;
    long maxBytes = pipeline.validator().limits().maxBytes();
    this.app = Javalin.create(config -> {
      config.showJavalinBanner = false;
      config.http.maxRequestSize = maxBytes;
    });
    BearerAuth auth = new BearerAuth(authTokens);
    app.before("/v1/*", auth);
    app.post("/v1/images", this::postImage);
    app.post("/v1/labels", this::postLabel);
    app.get("/healthz", this::getHealth);
    app.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8")
        .result(pipeline.metrics().scrape()));
    app.exception(RejectedInputException.class, (e, ctx) -> {
      pipeline.metrics().rejected(e.reason());
      error(ctx, e.reason().httpStatus(), e.reason().code(), e.getMessage());
    });
    app.exception(PublishUnavailableException.class, (e, ctx) -> unavailable(ctx, e));
    app.exception(HttpResponseException.class, (e, ctx) -> error(ctx, e.getStatus(),
        e.getStatus() == 413 ? Rejection.TOO_LARGE.code()
            : e.getStatus() == 401 ? "unauthorized" : "http_" + e.getStatus(), e.getMessage()));
    app.exception(Exception.class, (e, ctx) -> {
      log.error("unexpected error on {} {}", ctx.method(), ctx.path(), e);
      error(ctx, 500, "internal_error", "unexpected error: " + e.getMessage());
    });
    if (auth.enabled()) {
      log.info("bearer-token auth enabled on /v1/* ({} tokens)", authTokens.size());
    }
  }

  public IngestHttpServer start(String host, int port) {
    app.start(host, port);
    log.info("ingest HTTP API listening on {}:{}", host, app.port());
    return this;
  }

  public int port() {
    return app.port();
  }

  private void postImage(Context ctx) {
    long maxBytes = pipeline.validator().limits().maxBytes();
    long declaredLength = ctx.contentLength();
    if (declaredLength > maxBytes) {
      throw pipeline.validator().tooLarge(declaredLength);
    }
    ImageUpload upload = new ImageUpload(ctx.bodyAsBytes(), Optional.ofNullable(ctx.contentType()),
        param(ctx, "label"), param(ctx, "source"), param(ctx, "annotator"));
    IngestResult result = await(pipeline.ingestImage(upload));
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("id", result.id());
    body.put("duplicate", result.duplicate());
    body.put("labeled", result.labeled());
    ctx.status(202).json(body);
  }

  private void postLabel(Context ctx) {
    JsonNode body;
    try {
      body = json.readTree(ctx.body());
    } catch (IOException e) {
      throw new RejectedInputException(Rejection.BAD_REQUEST,
          "the body must be JSON {\"imageId\", \"label\", \"annotator\"}: " + e.getMessage());
    }
    if (body == null || !body.hasNonNull("imageId") || !body.hasNonNull("label")) {
      throw new RejectedInputException(Rejection.BAD_REQUEST,
          "the body must be JSON with \"imageId\" and \"label\" (and optionally \"annotator\")");
    }
    String imageId = body.get("imageId").asText();
    await(pipeline.ingestLabel(imageId, body.get("label").asText(),
        Optional.ofNullable(body.get("annotator")).filter(n -> !n.isNull()).map(JsonNode::asText)));
    ctx.status(202).json(Map.of("imageId", imageId, "accepted", true));
  }

  private void getHealth(Context ctx) {
    Map<String, String> report = health.report();
    ctx.status(report.get("status").equals("UP") ? 200 : 503).json(report);
  }

  private <T> T await(CompletableFuture<T> acked) {
    try {
      return acked.get(publishTimeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new PublishUnavailableException("Kafka did not acknowledge within "
          + publishTimeout.toMillis() + " ms", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException cause) {
        throw cause;
      }
      throw new PublishUnavailableException("publish failed: " + e.getCause(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PublishUnavailableException("interrupted while waiting for Kafka", e);
    }
  }

  private void unavailable(Context ctx, PublishUnavailableException e) {
    pipeline.metrics().unavailable();
    log.warn("503 for {} {}: {}", ctx.method(), ctx.path(), e.getMessage());
    ctx.header("Retry-After", Integer.toString(retryAfterSeconds));
    error(ctx, 503, "unavailable", e.getMessage() + "; nothing was stored, retry later");
  }

  private static void error(Context ctx, int status, String code, String message) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("error", code);
    body.put("message", message);
    ctx.status(status).json(body);
  }

  private static Optional<String> param(Context ctx, String name) {
    return Optional.ofNullable(ctx.queryParam(name)).filter(v -> !v.isBlank());
  }

  @Override
  public void close() {
    app.stop();
  }
}
