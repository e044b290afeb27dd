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
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
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
  private final BatchLimits batchLimits;
  private final ObjectMapper json = new ObjectMapper();
  private final Javalin app;

  public IngestHttpServer(IngestPipeline pipeline, HealthCheck health, Duration publishTimeout,
      int retryAfterSeconds, Set<String> authTokens, BatchLimits batchLimits) {
    this.pipeline = pipeline;
    this.health = health;
    this.publishTimeout = publishTimeout;
    this.retryAfterSeconds = retryAfterSeconds;
    this.batchLimits = batchLimits;
    long maxBytes = Math.max(pipeline.validator().limits().maxBytes(), batchLimits.maxBytes());
    this.app = Javalin.create(config -> {
      config.showJavalinBanner = false;
      config.http.maxRequestSize = maxBytes;
    });
    BearerAuth auth = new BearerAuth(authTokens);
    app.before("/v1/*", auth);
    app.post("/v1/images", this::postImage);
    app.post("/v1/images/batch", this::postImageBatch);
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
    if (ctx.contentLength() > maxBytes) {
      throw pipeline.validator().tooLarge(ctx.contentLength());
    }
    byte[] bytes = bodyUpTo(ctx, maxBytes, "image");
    ImageUpload upload = new ImageUpload(bytes, Optional.ofNullable(ctx.contentType()),
        param(ctx, "label"), param(ctx, "source"), param(ctx, "annotator"));
    IngestResult result = await(pipeline.ingestImage(upload));
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("id", result.id());
    body.put("duplicate", result.duplicate());
    body.put("labeled", result.labeled());
    ctx.status(202).json(body);
  }

  /**
   * Many images in one request (see {@link ImageBatch}), each validated, deduplicated and
   * published like a single upload; answers once every image is acknowledged or refused, with
   * one result per image line. 202: all accepted; 207: some refused for bad input (fix those,
   * do not resend them); 503 with Retry-After: some could not be published (resend the batch:
   * the images already stored come back as duplicates).
   */
  private void postImageBatch(Context ctx) {
    Optional.ofNullable(ctx.contentType()).filter(type -> type.startsWith("image/"))
        .ifPresent(type -> {
          throw new RejectedInputException(Rejection.WRONG_CONTENT_TYPE, "a batch is"
              + " newline-delimited JSON (application/x-ndjson), not " + type
              + "; send a single image to /v1/images");
        });
    if (ctx.contentLength() > batchLimits.maxBytes()) {
      throw batchTooLarge(ctx.contentLength());
    }
    byte[] body = bodyUpTo(ctx, batchLimits.maxBytes(), "batch");
    List<CompletableFuture<BatchResult>> pending = new ArrayList<>();
    for (ImageBatch.Line line : ImageBatch.parse(body, batchLimits)) {
      pending.add(ingest(line));
    }
    long deadline = System.nanoTime() + publishTimeout.toNanos();
    List<BatchResult> results = new ArrayList<>(pending.size());
    for (int i = 0; i < pending.size(); i++) {
      results.add(awaitUntil(deadline, i, pending.get(i)));
    }
    BatchResult.Summary summary = BatchResult.summarize(results);
    if (summary.unavailable() > 0) {
      pipeline.metrics().unavailable();
      log.warn("503 for a batch: {} of {} images not acknowledged", summary.unavailable(),
          results.size());
      ctx.header("Retry-After", String.valueOf(retryAfterSeconds));
    }
    ctx.status(summary.httpStatus()).json(summary.body(results));
  }

  private CompletableFuture<BatchResult> ingest(ImageBatch.Line line) {
    if (line.refused() != null) {
      return CompletableFuture.completedFuture(refused(line.index(), line.refused()));
    }
    try {
      return pipeline.ingestBulkImage(line.upload()).handle((result, error) -> error == null
          ? BatchResult.accepted(line.index(), result) : failed(line.index(), error));
    } catch (RejectedInputException e) {
      return CompletableFuture.completedFuture(refused(line.index(), e));
    }
  }

  private BatchResult awaitUntil(long deadline, int index, CompletableFuture<BatchResult> result) {
    try {
      return result.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      return BatchResult.unavailable(index, "Kafka did not acknowledge within "
          + publishTimeout.toMillis() + " ms; retry later");
    } catch (ExecutionException e) {
      return failed(index, e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return BatchResult.unavailable(index, "interrupted while waiting for Kafka");
    }
  }

  private BatchResult refused(int index, RejectedInputException e) {
    pipeline.metrics().rejected(e.reason());
    return BatchResult.refused(index, e);
  }

  private BatchResult failed(int index, Throwable error) {
    Throwable cause = error instanceof CompletionException && error.getCause() != null
        ? error.getCause() : error;
    if (cause instanceof RejectedInputException rejected) {
      return refused(index, rejected);
    }
    return BatchResult.unavailable(index, cause.getMessage() + "; retry later");
  }

  /**
   * The request body, read no further than {@code limit} bytes: Javalin checks only a declared
   * Content-Length, so a chunked body would otherwise be buffered whole before being refused.
   */
  private static byte[] bodyUpTo(Context ctx, long limit, String what) {
    try (InputStream in = ctx.req().getInputStream()) {
      byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 16, limit + 1));
      if (bytes.length > limit) {
        throw new RejectedInputException(Rejection.TOO_LARGE, "the " + what + " is larger than"
            + " the limit of " + limit + " bytes");
      }
      return bytes;
    } catch (IOException e) {
      throw new RejectedInputException(Rejection.BAD_REQUEST, "the " + what
          + " could not be read: " + e.getMessage());
    }
  }

  private RejectedInputException batchTooLarge(long length) {
    return new RejectedInputException(Rejection.TOO_LARGE, "the batch has " + length
        + " bytes; the limit is " + batchLimits.maxBytes() + "; split it into smaller batches");
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
    // imageSeen false: the label waits in the join for its image (or the id has a typo)
    ctx.status(202).json(Map.of("imageId", imageId, "accepted", true,
        "imageSeen", pipeline.knows(imageId)));
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
