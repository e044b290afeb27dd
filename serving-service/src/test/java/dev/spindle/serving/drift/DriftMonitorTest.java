package dev.spindle.serving.drift;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spindle.model.artifact.ModelStore;
import dev.spindle.serving.TwoClassModels;
import dev.spindle.serving.holder.GatePolicy;
import dev.spindle.serving.holder.GatingSet;
import dev.spindle.serving.holder.ModelHolder;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DriftMonitorTest {
  @TempDir Path dir;

  @Test
  void shouldMeasureTheBackbonesRotationAccuracyOnRecentTrafficWithoutLabels() throws Exception {
    TwoClassModels models = new TwoClassModels(dir);
    ModelHolder holder =
        new ModelHolder(ModelStore::load, () -> GatingSet.EMPTY, GatePolicy.withMargin(0.01), Clock.systemUTC());
    RecentTraffic traffic = new RecentTraffic(64);
    List<Double> gauge = new ArrayList<>();
    DriftMonitor monitor = new DriftMonitor(holder, traffic, gauge::add);

    assertThat(monitor.check()).isNaN(); // no model
    holder.offer(models.goodWithRotation(1));
    assertThat(monitor.check()).isNaN(); // no traffic yet
    Random random = new Random(1);
    for (int i = 0; i < 40; i++) {
      traffic.add(holder.current().orElseThrow().preprocessor()
          .pixels(TwoClassModels.png(i % 2, random)));
    }
    double accuracy = monitor.check();
    assertThat(accuracy).isBetween(0.0, 1.0);
    assertThat(gauge).containsExactly(accuracy);
  }

  @Test
  void shouldSayNothingForAModelWithoutARotationNetwork() throws Exception {
    TwoClassModels models = new TwoClassModels(dir);
    ModelHolder holder =
        new ModelHolder(ModelStore::load, () -> GatingSet.EMPTY, GatePolicy.withMargin(0.01), Clock.systemUTC());
    holder.offer(models.good(1));
    RecentTraffic traffic = new RecentTraffic(64);
    for (int i = 0; i < 40; i++) {
      traffic.add(new float[784]);
    }
    assertThat(new DriftMonitor(holder, traffic, v -> { }).check()).isNaN();
  }
}
