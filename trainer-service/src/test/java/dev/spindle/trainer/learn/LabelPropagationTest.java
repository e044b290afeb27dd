package dev.spindle.trainer.learn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class LabelPropagationTest {
  /**
   * Two elongated clusters (chains) that converge: the far ends of the two are closer to each
   * other (cosine 0.9) than to their own seeds (0.32).
   */
  private static float[][] twoChains(int perChain, Random random) {
    float[][] points = new float[2 * perChain][];
    for (int i = 0; i < perChain; i++) {
      float t = 3f * i / perChain;
      points[i] = new float[] {1f, t, jitter(random)};
      points[perChain + i] = new float[] {jitter(random), t, 1f};
    }
    return points;
  }

  private static float jitter(Random random) {
    return (float) (0.01 * random.nextGaussian());
  }

  @Test
  void shouldCarryEachSeedsLabelAlongItsClusterToTheFarEnd() {
    int perChain = 150;
    INDArray features = Nd4j.create(twoChains(perChain, new Random(7)));
    int[] labels = new int[2 * perChain];
    java.util.Arrays.fill(labels, -1);
    labels[0] = 0;             // chain A seeded at its start only
    labels[perChain] = 1;      // chain B seeded at its start only

    LabelPropagation.Labels out = LabelPropagation.standard().propagate(features, labels, 2);

    int wrong = 0;
    for (int i = 0; i < 2 * perChain; i++) {
      wrong += out.label()[i] == (i < perChain ? 0 : 1) ? 0 : 1;
    }
    assertThat(wrong).as("wrong of %d", 2 * perChain).isZero();
    assertThat(out.certainty()[0]).isEqualTo(1f);
  }

  @Test
  void shouldBeLessCertainBetweenClustersThanInsideOne() {
    float[][] points = {
        {1f, 0f}, {0.99f, 0.05f}, {0.98f, 0.1f},   // class 0
        {0f, 1f}, {0.05f, 0.99f}, {0.1f, 0.98f},   // class 1
        {0.7f, 0.7f}};                             // half way
    int[] labels = {0, -1, -1, 1, -1, -1, -1};

    LabelPropagation.Labels out =
        new LabelPropagation(2, 0.9, 20).propagate(Nd4j.create(points), labels, 2);

    assertThat(out.label()).startsWith(0, 0, 0, 1, 1, 1);
    assertThat(out.certainty()[6]).isLessThan(Math.min(out.certainty()[1], out.certainty()[4]));
  }

  @Test
  void shouldLinkEachPointToFewerNeighboursInASmallerPool() {
    assertThat(LabelPropagation.neighboursFor(1_040)).isEqualTo(10);
    assertThat(LabelPropagation.neighboursFor(5_040)).isEqualTo(10);
    assertThat(LabelPropagation.neighboursFor(10_000)).isEqualTo(20);
    assertThat(LabelPropagation.neighboursFor(20_040)).isEqualTo(30);
    assertThat(LabelPropagation.neighboursFor(50_000)).isEqualTo(30);
  }

  @Test
  void shouldRefuseLabelsThatDoNotMatchThePoints() {
    assertThatThrownBy(() -> LabelPropagation.standard()
        .propagate(Nd4j.create(new float[][] {{1f}, {2f}}), new int[] {0}, 2))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("2 points but 1 labels");
  }
}
