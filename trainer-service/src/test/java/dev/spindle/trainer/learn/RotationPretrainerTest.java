package dev.spindle.trainer.learn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spindle.model.InputShape;
import dev.spindle.model.NetworkSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RotationPretrainerTest {
  private final NetworkSpec spec = NetworkSpec.forInput(InputShape.FASHION_MNIST, 2);

  @Test
  void shouldTrainOnCutoutCopiesAndLeaveTheCallersImagesWhole() {
    List<float[]> images = images(8);
    List<float[]> before = images.stream().map(float[]::clone).toList();
    RotationPretrainer pretrainer =
        new RotationPretrainer(spec, 1e-3, 1, new Cutout(10), new Random(1));
    double loss = pretrainer.step(images);
    assertThat(loss).isFinite();
    assertThat(pretrainer.steps()).isEqualTo(1);
    for (int i = 0; i < images.size(); i++) {
      assertThat(images.get(i)).containsExactly(before.get(i));
    }
  }

  @Test
  void shouldDifferFromPretrainingWithoutCutoutOnlyThroughTheSquares() {
    List<float[]> images = images(8);
    RotationPretrainer plain = new RotationPretrainer(spec, 1e-3, 1);
    RotationPretrainer none = new RotationPretrainer(spec, 1e-3, 1, Cutout.NONE, new Random(5));
    RotationPretrainer cut = new RotationPretrainer(spec, 1e-3, 1, new Cutout(10), new Random(5));
    plain.step(images);
    none.step(images);
    cut.step(images);
    assertThat(none.snapshot().params().equalsWithEps(plain.snapshot().params(), 0)).isTrue();
    assertThat(cut.snapshot().params().equalsWithEps(plain.snapshot().params(), 0)).isFalse();
  }

  private static List<float[]> images(int n) {
    Random random = new Random(3);
    List<float[]> images = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      float[] image = new float[InputShape.FASHION_MNIST.size()];
      for (int p = 0; p < image.length; p++) {
        image[p] = random.nextFloat();
      }
      images.add(image);
    }
    return images;
  }
}
