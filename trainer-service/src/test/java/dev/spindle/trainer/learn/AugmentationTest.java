package dev.spindle.trainer.learn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spindle.model.InputShape;
import java.util.Random;
import org.junit.jupiter.api.Test;

class AugmentationTest {
  private static final InputShape SHAPE = new InputShape(1, 8, 8);

  @Test
  void shouldLeaveImagesAloneWhenOff() {
    float[] image = ramp();
    Augmentation.NONE.apply(image, 0, SHAPE, new Random(1), new float[64]);
    assertThat(image).containsExactly(ramp());
  }

  @Test
  void shouldOnlyMirrorOrShiftPixelsNeverInventThem() {
    Augmentation augmentation = new Augmentation(true, 2);
    Random random = new Random(3);
    for (int trial = 0; trial < 50; trial++) {
      float[] image = ramp();
      augmentation.apply(image, 0, SHAPE, random, new float[64]);
      for (float v : image) {
        assertThat(v == 0f || (v >= 1 && v <= 64 && v == Math.rint(v))).isTrue();
      }
    }
  }

  @Test
  void shouldMirrorRowsWhenFlippingWithoutShift() {
    Augmentation flipOnly = new Augmentation(true, 0);
    Random random = new Random(0);
    boolean sawFlip = false;
    for (int trial = 0; trial < 10; trial++) {
      float[] image = ramp();
      flipOnly.apply(image, 0, SHAPE, random, new float[64]);
      if (image[0] != 1f) {
        sawFlip = true;
        assertThat(image[0]).isEqualTo(8f); // the row reads right to left
        assertThat(image[7]).isEqualTo(1f);
      }
    }
    assertThat(sawFlip).isTrue();
  }

  @Test
  void shouldDescribeWhichPartsAreOn() {
    assertThat(new Augmentation(true, 2).describe()).isEqualTo("flips + 2 px shifts");
    assertThat(new Augmentation(false, 2).describe()).isEqualTo("2 px shifts");
    assertThat(new Augmentation(true, 0).describe()).isEqualTo("flips");
    assertThat(Augmentation.NONE.describe()).isEqualTo("no augmentation");
  }

  private static float[] ramp() {
    float[] image = new float[64];
    for (int i = 0; i < 64; i++) {
      image[i] = i + 1;
    }
    return image;
  }
}
