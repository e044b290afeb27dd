package dev.spindle.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spindle.bench.IngestBenchmark.Passes;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class IngestPassesTest {

  @Test
  void shouldReportTheMedianPassByItsRatioToTheCeilingPassOfTheSameIndex() {
    double[] ceilings = {100_000, 200_000, 120_000};
    double[] bulk = {50_000, 60_000, 72_000}; // ratios 0.50, 0.30, 0.60

    Passes median = Passes.median(bulk, ceilings);

    assertThat(median.rate()).isEqualTo(50_000);
    assertThat(median.ratio()).isEqualTo(0.5);
    assertThat(median.range()).containsExactly(0.3, 0.6);
    assertThat(Passes.median(ceilings)).isEqualTo(120_000);
  }

  @Test
  void shouldMakeANewImageForEveryPassMask() {
    byte[] pixels = {0, 17, (byte) 200, (byte) 255};

    Set<String> images = IntStream.of(0, 1, 2, 255, 254, 253)
        .mapToObj(mask -> Arrays.toString(PngImages.xor(mask).apply(pixels)))
        .collect(Collectors.toSet());

    assertThat(images).hasSize(6);
    assertThat(PngImages.xor(0).apply(pixels)).containsExactly(pixels);
    assertThat(PngImages.xor(255).apply(pixels)).containsExactly(255, 238, 55, 0);
  }
}
