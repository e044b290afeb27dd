package dev.spindle.trainer.learn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spindle.model.InputShape;
import dev.spindle.model.NetworkSpec;
import dev.spindle.model.Networks;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;

class WeightedExamplesTest {
  private static final InputShape SHAPE = new InputShape(1, 8, 8);

  private static float[] image(float v) {
    float[] pixels = new float[SHAPE.size()];
    Arrays.fill(pixels, v);
    return pixels;
  }

  /** How often each example appears in {@code epochs} epochs of batches. */
  private static int[] visits(Examples examples, int epochs) {
    int[] visits = new int[examples.size()];
    Random random = new Random(7);
    for (int epoch = 0; epoch < epochs; epoch++) {
      for (int[] batch : examples.shuffledBatches(16, random)) {
        for (int i : batch) {
          visits[i]++;
        }
      }
    }
    return visits;
  }

  @Test
  void shouldNeverVisitAnExampleOfWeightZero() {
    Examples examples = new Examples(SHAPE, List.of(image(0.3f), image(0.7f), image(0.5f)),
        new int[] {0, 1, 0}, new float[] {0f, 1f, 1f});

    assertThat(visits(examples, 50)[0]).isZero();
  }

  @Test
  void shouldVisitExamplesInProportionToTheirWeightAboutOnceEachPerEpoch() {
    Examples examples = new Examples(SHAPE, List.of(image(0.3f), image(0.7f), image(0.5f)),
        new int[] {0, 1, 0}, new float[] {0.5f, 2f, 0.5f});

    int[] visits = visits(examples, 1_000);

    // weights 0.5 : 2 : 0.5 of 3 examples per epoch: 0.5, 2, 0.5 visits per epoch
    assertThat(visits[0]).isBetween(430, 570);
    assertThat(visits[1]).isEqualTo(2_000);
    assertThat(visits[2]).isBetween(430, 570);
  }

  @Test
  void shouldHandDl4jNoLabelsMaskForWeightedExamples() {
    // DL4J would scale the masked examples' logits before the softmax, not only their loss
    Examples weighted = new Examples(SHAPE, List.of(image(0.3f), image(0.7f)), new int[] {0, 1},
        new float[] {0.5f, 2f});

    assertThat(weighted.dataSet(new int[] {0, 1}, 2).getLabelsMaskArray()).isNull();
  }

  @Test
  void shouldKeepWeightsWhenMixingLabeledAndPseudoLabeledExamples() {
    Examples labeled = new Examples(SHAPE, List.of(image(0.1f)), new int[] {1});
    Examples pseudo = new Examples(SHAPE, List.of(image(0.2f)), new int[] {0}, new float[] {0.25f});

    Examples mixed = labeled.concat(2, pseudo);

    assertThat(mixed.size()).isEqualTo(3);
    assertThat(new float[] {mixed.weight(0), mixed.weight(1), mixed.weight(2)})
        .containsExactly(1f, 1f, 0.25f);
  }

  @Test
  void shouldFoldASingleLeftoverExampleIntoThePreviousBatch() {
    List<float[]> images = Collections.nCopies(129, image(0.5f));
    Examples examples = new Examples(SHAPE, images, new int[129]);

    List<int[]> batches = examples.shuffledBatches(64, new Random(1));

    assertThat(batches).extracting(b -> b.length).containsExactly(64, 65);
    assertThat(batches.stream().flatMapToInt(Arrays::stream).sorted().toArray())
        .containsExactly(IntStream.range(0, 129).toArray());
    assertThat(new Examples(SHAPE, images.subList(0, 1), new int[1]).shuffledBatches(
        64, new Random(1))).extracting(b -> b.length).containsExactly(1);
  }

  @Test
  void shouldTrainOnAWeightedSetWhoseSizeLeavesOneExampleOver() {
    MultiLayerNetwork net = Networks.classifier(NetworkSpec.forInput(SHAPE, 2), 2, 1e-2, 1);
    Examples examples = new Examples(SHAPE, Collections.nCopies(5, image(0.4f)),
        new int[] {0, 1, 0, 1, 0}, new float[] {1f, 0.5f, 1f, 0.5f, 1f});

    for (int[] batch : examples.shuffledBatches(4, new Random(1))) {
      net.fit(examples.dataSet(batch, 2));
    }

    assertThat(net.params().isNaN().any()).isFalse();
  }
}
