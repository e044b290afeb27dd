package dev.spindle.trainer.learn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spindle.model.InputShape;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CutoutTest {
  private static final InputShape SHAPE = new InputShape(3, 8, 8);

  @Test
  void shouldDescribeItselfForTheLogs() {
    assertThat(Cutout.NONE).hasToString("no cutout");
    assertThat(new Cutout(10)).hasToString("cutout 10x10 px");
  }

  @Test
  void shouldLeaveImagesAloneWhenOff() {
    float[] image = ones(SHAPE.size());
    Cutout.NONE.apply(image, 0, SHAPE, new Random(1));
    assertThat(image).containsOnly(1f);
  }

  @Test
  void shouldBlankTheSameSquareInEveryChannelClippedAtTheEdges() {
    Cutout cutout = new Cutout(3);
    Random random = new Random(7);
    boolean sawWhole = false;
    boolean sawClipped = false;
    for (int trial = 0; trial < 200; trial++) {
      float[] image = ones(SHAPE.size());
      cutout.apply(image, 0, SHAPE, random);
      int[] rows = blankExtent(image, 0, true);
      int[] cols = blankExtent(image, 0, false);
      int blank = count(image, 0, 64);
      assertThat(blank).isBetween(1, 9).isEqualTo(rows.length * cols.length);
      assertThat(rows[rows.length - 1] - rows[0]).isEqualTo(rows.length - 1);   // contiguous
      assertThat(cols[cols.length - 1] - cols[0]).isEqualTo(cols.length - 1);
      assertThat(image).startsWith(Arrays.copyOfRange(image, 64, 128));   // channel 2 the same
      assertThat(Arrays.copyOfRange(image, 128, 192)).containsExactly(
          Arrays.copyOfRange(image, 0, 64));                                 // and channel 3
      sawWhole |= blank == 9;
      sawClipped |= blank < 9;
    }
    assertThat(sawWhole).isTrue();
    assertThat(sawClipped).isTrue();
  }

  @Test
  void shouldOnlyTouchTheImageAtItsOffset() {
    float[] data = ones(3 * SHAPE.size());
    new Cutout(4).apply(data, SHAPE.size(), SHAPE, new Random(2));
    assertThat(count(data, 0, SHAPE.size())).isZero();
    assertThat(count(data, 2 * SHAPE.size(), 3 * SHAPE.size())).isZero();
    assertThat(count(data, SHAPE.size(), 2 * SHAPE.size())).isPositive();
  }

  @Test
  void shouldDrawTheSameSquaresForTheSameSeed() {
    float[] a = ones(SHAPE.size());
    float[] b = ones(SHAPE.size());
    new Cutout(5).apply(a, 0, SHAPE, new Random(11));
    new Cutout(5).apply(b, 0, SHAPE, new Random(11));
    assertThat(a).containsExactly(b);
  }

  @Test
  void shouldRefuseANegativeSide() {
    assertThatThrownBy(() -> new Cutout(-1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("-1");
  }

  private static float[] ones(int n) {
    float[] image = new float[n];
    Arrays.fill(image, 1f);
    return image;
  }

  private static int count(float[] data, int from, int to) {
    int zeros = 0;
    for (int i = from; i < to; i++) {
      zeros += data[i] == 0f ? 1 : 0;
    }
    return zeros;
  }

  /** The rows (or columns) of the first channel that hold a blank pixel, in order. */
  private static int[] blankExtent(float[] image, int offset, boolean rows) {
    return java.util.stream.IntStream.range(0, 8).filter(a -> java.util.stream.IntStream
        .range(0, 8).anyMatch(b -> image[offset + (rows ? a * 8 + b : b * 8 + a)] == 0f))
        .toArray();
  }
}
