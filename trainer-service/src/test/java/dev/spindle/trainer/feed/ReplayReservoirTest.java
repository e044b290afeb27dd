package dev.spindle.trainer.feed;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ReplayReservoirTest {
  @Test
  void shouldStayWithinItsCapacity() {
    ReplayReservoir reservoir = new ReplayReservoir(100, 1);
    for (int i = 0; i < 10_000; i++) {
      reservoir.add(new float[] {i});
    }
    assertThat(reservoir.size()).isEqualTo(100);
    assertThat(reservoir.seen()).isEqualTo(10_000);
  }

  @Test
  void shouldNotBeSwampedByABurst() {
    ReplayReservoir reservoir = new ReplayReservoir(1000, 2);
    for (int i = 0; i < 9000; i++) {
      reservoir.add(new float[] {0}); // the long history
    }
    for (int i = 0; i < 1000; i++) {
      reservoir.add(new float[] {1}); // a burst: 10% of everything seen
    }
    List<float[]> sample = reservoir.sample(10_000);
    double burstShare = sample.stream().filter(x -> x[0] == 1).count() / 10_000.0;
    assertThat(burstShare).isBetween(0.05, 0.15);
  }

  @Test
  void shouldSampleNothingWhenEmpty() {
    assertThat(new ReplayReservoir(10, 3).sample(5)).isEmpty();
  }

  @Test
  void shouldHandOutEachImageAtMostOnceForLabelPropagation() {
    ReplayReservoir reservoir = new ReplayReservoir(100, 4);
    for (int i = 0; i < 50; i++) {
      reservoir.add(new float[] {i});
    }

    List<float[]> some = reservoir.distinct(20);
    List<float[]> all = reservoir.distinct(80);

    assertThat(some).hasSize(20).doesNotHaveDuplicates();
    assertThat(all).hasSize(50).doesNotHaveDuplicates();
  }
}
