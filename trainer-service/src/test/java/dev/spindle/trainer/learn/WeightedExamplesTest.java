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
import org.nd4j.linalg.api.ndarray.INDArray;

class WeightedExamplesTest {
  private static final InputShape SHAPE = new InputShape(1, 8, 8);

  private static float[] image(float v) {
    float[] pixels = new float[SHAPE.size()];
    Arrays.fill(pixels, v);
    return pixels;
  }

  /** Whether one fit on both examples moved the output layer's weights. */
  private static boolean headMovesAfterOneFit(Examples examples) {
    MultiLayerNetwork net = Networks.classifier(NetworkSpec.forInput(SHAPE, 2), 2, 1e-2, 1);
    // BatchNorm's running statistics move with any forward pass; the weights must not
    int head = net.getLayers().length - 1;
    INDArray before = net.getLayer(head).params().dup();

    net.fit(examples.dataSet(new int[] {0, 1}, 2));

    return !net.getLayer(head).params().equalsWithEps(before, 0);
  }

  @Test
  void shouldNotLearnFromAnExampleOfWeightZero() {
    Examples ignored = new Examples(SHAPE, List.of(image(0.3f), image(0.7f)), new int[] {0, 1},
        new float[] {0f, 0f});

    assertThat(headMovesAfterOneFit(ignored)).isFalse();
  }

  @Test
  void shouldLearnFromAWeightedExample() {
    Examples weighted = new Examples(SHAPE, List.of(image(0.3f), image(0.7f)), new int[] {0, 1},
        new float[] {0.5f, 2f});

    assertThat(headMovesAfterOneFit(weighted)).isTrue();
  }

  @Test
  void shouldKeepWeightsWhenMixingLabeledAndPseudoLabeledExamples() {
    Examples labeled = new Examples(SHAPE, List.of(image(0.1f)), new int[] {1});
    Examples pseudo = new Examples(SHAPE, List.of(image(0.2f)), new int[] {0}, new float[] {0.25f});

    Examples mixed = labeled.concat(2, pseudo);

    assertThat(mixed.size()).isEqualTo(3);
    assertThat(new float[] {mixed.weight(0), mixed.weight(1), mixed.weight(2)})
        .containsExactly(1f, 1f, 0.25f);
    assertThat(mixed.dataSet(new int[] {2, 0}, 2).getLabelsMaskArray().toFloatVector())
        .containsExactly(0.25f, 1f);
  }

  @Test
  void shouldFoldASingleLeftoverExampleIntoThePreviousBatch() {
    List<float[]> images = Collections.nCopies(129, image(0.5f));
    Examples examples = new Examples(SHAPE, images, new int[129], new float[129]);

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
