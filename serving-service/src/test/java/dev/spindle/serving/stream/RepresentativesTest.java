package dev.spindle.serving.stream;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RepresentativesTest {
  /** {@code perCluster} points around each of {@code directions}, jittered by {@code spread}. */
  private static float[][] clusters(float[][] directions, int perCluster, float spread, long seed) {
    Random random = new Random(seed);
    float[][] points = new float[directions.length * perCluster][];
    for (int c = 0; c < directions.length; c++) {
      for (int i = 0; i < perCluster; i++) {
        float[] p = directions[c].clone();
        for (int j = 0; j < p.length; j++) {
          p[j] += spread * (float) random.nextGaussian();
        }
        points[c * perCluster + i] = p;
      }
    }
    return points;
  }

  private static double[] ones(int n) {
    double[] w = new double[n];
    Arrays.fill(w, 1.0);
    return w;
  }

  private static final float[][] AXES = {{1, 0, 0, 0}, {0, 1, 0, 0}, {0, 0, 1, 0}};

  @Test
  void shouldPickOneImageFromEachRegionInsteadOfCrowdingIntoOne() {
    float[][] points = clusters(AXES, 20, 0.05f, 1);

    int[] picked = Representatives.pick(points, ones(points.length), 3, 7);

    assertThat(Arrays.stream(picked).map(i -> i / 20).sorted().toArray()).containsExactly(0, 1, 2);
  }

  @Test
  void shouldPickTheMiddleOfARegionNotItsEdge() {
    float[][] points = {{1, 0.2f, 0}, {1, -0.2f, 0}, {1, 0, 0}, {1, 0, 0.2f}, {1, 0, -0.2f}};

    int[] picked = Representatives.pick(points, ones(points.length), 1, 3);

    assertThat(picked).containsExactly(2);
  }

  @Test
  void shouldPutTheHeaviestRegionFirst() {
    float[][] points = clusters(AXES, 10, 0.05f, 2);
    double[] weights = ones(points.length);
    Arrays.fill(weights, 10, 20, 5.0);

    int[] picked = Representatives.pick(points, weights, 3, 11);

    assertThat(picked[0] / 10).isEqualTo(1);
  }

  @Test
  void shouldReturnEveryImageHeaviestFirstWhenAskedForAtLeastAsMany() {
    float[][] points = {{1, 0}, {0, 1}, {1, 1}};

    assertThat(Representatives.pick(points, new double[] {0.2, 0.9, 0.5}, 5, 1))
        .containsExactly(1, 2, 0);
  }

  @Test
  void shouldStillPickKImagesWhenTheirFeaturesCannotTellThemApart() {
    float[][] points = {{0, 0}, {0, 0}, {0, 0}, {0, 0}};

    int[] picked = Representatives.pick(points, new double[] {0.1, 0.4, 0.3, 0.2}, 2, 5);

    assertThat(picked).hasSize(2).doesNotHaveDuplicates();
  }

  @Test
  void shouldPickNothingWhenAskedForNothing() {
    assertThat(Representatives.pick(new float[][] {{1, 0}, {0, 1}}, ones(2), 0, 1)).isEmpty();
  }

  @Test
  void shouldPickTheSameImagesForTheSameSeed() {
    float[][] points = clusters(AXES, 30, 0.3f, 3);

    assertThat(Representatives.pick(points, ones(points.length), 5, 42))
        .containsExactly(Representatives.pick(points, ones(points.length), 5, 42));
  }
}
