package dev.spindle.serving.drift;

import dev.spindle.serving.holder.ModelHolder;
import dev.spindle.serving.holder.ServedModel;
import java.time.Duration;
import java.util.List;
import java.util.OptionalDouble;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Label-free health: every {@code interval}, the rotation accuracy of the serving model's
 * backbone on recent traffic. No labels are needed (the rotation is the label); it drops when
 * incoming images drift away from what the backbone learned.
 */
public final class DriftMonitor implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DriftMonitor.class);
  private static final int MIN_IMAGES = 32;

  private final ModelHolder holder;
  private final RecentTraffic traffic;
  private final DoubleConsumer gauge;
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "spindle-drift");
    t.setDaemon(true);
    t.setPriority(Thread.MIN_PRIORITY); // label-free health yields to requests
    return t;
  });
  private volatile double lastAccuracy = Double.NaN;

  public DriftMonitor(ModelHolder holder, RecentTraffic traffic, DoubleConsumer gauge) {
    this.holder = holder;
    this.traffic = traffic;
    this.gauge = gauge;
  }

  public DriftMonitor start(Duration interval) {
    timer.scheduleWithFixedDelay(this::check, interval.toMillis(), interval.toMillis(),
        TimeUnit.MILLISECONDS);
    return this;
  }

  /** Measures now; NaN when there is no model, no rotation network or too little traffic. */
  public double check() {
    try {
      ServedModel model = holder.current().orElse(null);
      if (model == null) {
        return Double.NaN;
      }
      List<float[]> images = traffic.snapshot(model.preprocessor().shape().size());
      if (images.size() < MIN_IMAGES) {
        return Double.NaN;
      }
      OptionalDouble accuracy = model.rotationAccuracy(images);
      if (accuracy.isPresent()) {
        lastAccuracy = accuracy.getAsDouble();
        gauge.accept(lastAccuracy);
      }
      return lastAccuracy;
    } catch (RuntimeException e) {
      log.warn("drift check failed: {}", e.toString());
      return Double.NaN;
    }
  }

  public double lastAccuracy() {
    return lastAccuracy;
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
