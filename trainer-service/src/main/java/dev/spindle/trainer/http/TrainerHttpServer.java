package dev.spindle.trainer.http;

import dev.spindle.trainer.TrainerMetrics;
import io.javalin.Javalin;
import java.util.Map;
import java.util.function.Supplier;

/** {@code GET /healthz} (200 when UP, else 503, with the figures) and {@code GET /metrics}. */
public final class TrainerHttpServer implements AutoCloseable {
  private final TrainerMetrics metrics;
  private final Supplier<Map<String, Object>> health;
  private Javalin app;

  public TrainerHttpServer(TrainerMetrics metrics, Supplier<Map<String, Object>> health) {
    this.metrics = metrics;
    this.health = health;
  }

  public TrainerHttpServer start(String host, int port) {
    app = Javalin.create(config -> config.showJavalinBanner = false);
    app.get("/healthz", ctx -> {
      Map<String, Object> report = health.get();
      ctx.status("UP".equals(report.get("status")) ? 200 : 503).json(report);
    });
    app.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8")
        .result(metrics.scrape()));
    app.start(host, port);
    return this;
  }

  public int port() {
    return app.port();
  }

  @Override
  public void close() {
    if (app != null) {
      app.stop();
    }
  }
}
