package dev.spindle.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RotationsTest {
  private static final InputShape TWO_BY_TWO = new InputShape(1, 8, 8);

  @Test
  void shouldRotateCounterClockwiseLikeTorchRot90() {
    // 8x8 image; check the corners: top-right goes to top-left on a 90 degree turn
    float[] image = new float[64];
    for (int i = 0; i < 64; i++) {
      image[i] = i;
    }
    float[] once = Rotations.rotated(image, TWO_BY_TWO, 1);
    assertThat(once[0]).isEqualTo(image[7]); // top-left <- top-right
    assertThat(once[7]).isEqualTo(image[63]); // top-right <- bottom-right
    assertThat(once[56]).isEqualTo(image[0]); // bottom-left <- top-left
  }

  @Test
  void shouldBeExactPixelPermutations() {
    InputShape shape = new InputShape(3, 28, 28);
    float[] image = randomImage(shape, 1);
    float[] sortedOriginal = image.clone();
    Arrays.sort(sortedOriginal);
    for (int k = 0; k < 4; k++) {
      float[] rotated = Rotations.rotated(image, shape, k);
      Arrays.sort(rotated);
      assertThat(rotated).containsExactly(sortedOriginal);
    }
  }

  @Test
  void shouldComposeQuarterTurnsIntoTheIdentity() {
    InputShape shape = new InputShape(1, 28, 28);
    float[] image = randomImage(shape, 2);
    float[] turned = image;
    for (int i = 0; i < 4; i++) {
      turned = Rotations.rotated(turned, shape, 1);
    }
    assertThat(turned).containsExactly(image);
    assertThat(Rotations.rotated(Rotations.rotated(image, shape, 1), shape, 3))
        .containsExactly(image);
    assertThat(Rotations.rotated(image, shape, 0)).containsExactly(image);
    assertThat(Rotations.rotated(image, shape, 2)).isNotEqualTo(image);
  }

  @Test
  void shouldRefuseNonSquareShapes() {
    InputShape wide = new InputShape(1, 28, 32);
    assertThatThrownBy(() -> Rotations.rotated(new float[wide.size()], wide, 1))
        .hasMessageContaining("square");
  }

  private static float[] randomImage(InputShape shape, long seed) {
    Random random = new Random(seed);
    float[] image = new float[shape.size()];
    for (int i = 0; i < image.length; i++) {
      image[i] = random.nextFloat();
    }
    return image;
  }
}
