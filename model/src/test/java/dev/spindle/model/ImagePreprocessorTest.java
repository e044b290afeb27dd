package dev.spindle.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ImagePreprocessorTest {
  private final ImagePreprocessor fmnist = new ImagePreprocessor(InputShape.FASHION_MNIST);

  @Test
  void shouldReadGreyImagesOfTheInputSizeExactlyAsValueOver255() throws Exception {
    byte[] png = TestPictures.encode(TestPictures.grey(28, 28, 5), "png");
    float[] pixels = fmnist.pixels(png);
    assertThat(pixels).hasSize(784);
    for (int y = 0; y < 28; y++) {
      for (int x = 0; x < 28; x++) {
        assertThat(pixels[y * 28 + x]).isEqualTo(((x * 7 + y * 3 + 5) % 256) / 255f);
      }
    }
  }

  @Test
  void shouldBeDeterministic() throws Exception {
    byte[] jpeg = TestPictures.encode(TestPictures.colour(200, 120, 3), "jpg");
    assertThat(fmnist.pixels(jpeg)).containsExactly(fmnist.pixels(jpeg));
  }

  @Test
  void shouldResizeAndConvertColourCameraImagesInsteadOfRejectingThem() throws Exception {
    byte[] jpeg = TestPictures.encode(TestPictures.colour(640, 480, 4), "jpg");
    float[] grey = fmnist.pixels(jpeg);
    assertThat(grey).hasSize(784);
    assertInUnitRange(grey);

    ImagePreprocessor rgb = new ImagePreprocessor(new InputShape(3, 32, 32));
    float[] colour = rgb.pixels(jpeg);
    assertThat(colour).hasSize(3 * 32 * 32);
    assertInUnitRange(colour);
  }

  @Test
  void shouldKeepRedGreenBlueInChannelOrder() throws Exception {
    var image = new java.awt.image.BufferedImage(16, 16, java.awt.image.BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 16; y++) {
      for (int x = 0; x < 16; x++) {
        image.setRGB(x, y, 0xFF0000); // pure red
      }
    }
    float[] pixels = new ImagePreprocessor(new InputShape(3, 16, 16))
        .pixels(TestPictures.encode(image, "png"));
    assertThat(Arrays.copyOfRange(pixels, 0, 256)).containsOnly(1f);
    assertThat(Arrays.copyOfRange(pixels, 256, 768)).containsOnly(0f);
  }

  @Test
  void shouldSayWhyBytesAreNotAnImage() {
    assertThatThrownBy(() -> fmnist.pixels(new byte[0])).hasMessageContaining("empty");
    assertThatThrownBy(() -> fmnist.pixels("hello".getBytes()))
        .isInstanceOf(UndecodableImageException.class)
        .hasMessageContaining("not a PNG or JPEG");
  }

  private static void assertInUnitRange(float[] values) {
    for (float v : values) {
      assertThat(v).isBetween(0f, 1f);
    }
  }
}
