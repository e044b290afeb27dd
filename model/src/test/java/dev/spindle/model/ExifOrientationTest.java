package dev.spindle.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ExifOrientationTest {
  /** Stored rows 1 2 3 / 4 5 6. */
  private static BufferedImage stored() {
    BufferedImage image = new BufferedImage(3, 2, BufferedImage.TYPE_BYTE_GRAY);
    image.getRaster().setPixels(0, 0, 3, 2, new int[] {1, 2, 3, 4, 5, 6});
    return image;
  }

  private static int[][] rows(BufferedImage image) {
    int[][] rows = new int[image.getHeight()][];
    for (int y = 0; y < rows.length; y++) {
      rows[y] = image.getRaster().getPixels(0, y, image.getWidth(), 1, (int[]) null);
    }
    return rows;
  }

  private static int[][] turned(int orientation) {
    return rows(ExifOrientation.upright(stored(), orientation));
  }

  @Test
  void shouldTurnEachOrientationUprightPixelForPixel() {
    assertThat(turned(1)).isDeepEqualTo(new int[][] {{1, 2, 3}, {4, 5, 6}});
    assertThat(turned(2)).isDeepEqualTo(new int[][] {{3, 2, 1}, {6, 5, 4}});
    assertThat(turned(3)).isDeepEqualTo(new int[][] {{6, 5, 4}, {3, 2, 1}});
    assertThat(turned(4)).isDeepEqualTo(new int[][] {{4, 5, 6}, {1, 2, 3}});
    assertThat(turned(5)).isDeepEqualTo(new int[][] {{1, 4}, {2, 5}, {3, 6}});
    // 6: the stored image is to be turned 90 degrees clockwise
    assertThat(turned(6)).isDeepEqualTo(new int[][] {{4, 1}, {5, 2}, {6, 3}});
    assertThat(turned(7)).isDeepEqualTo(new int[][] {{6, 3}, {5, 2}, {4, 1}});
    // 8: counter-clockwise
    assertThat(turned(8)).isDeepEqualTo(new int[][] {{3, 6}, {2, 5}, {1, 4}});
  }

  @Test
  void shouldReadTheTagInEitherByteOrderFromARealJpeg() {
    byte[] jpeg = TestPictures.encode(TestPictures.colour(40, 30, 1), "jpg");

    assertThat(ExifOrientation.of(jpeg)).as("no EXIF segment").isEqualTo(1);
    for (int orientation = 1; orientation <= 8; orientation++) {
      assertThat(ExifOrientation.of(TestPictures.withExifOrientation(jpeg, orientation, true)))
          .isEqualTo(orientation);
      assertThat(ExifOrientation.of(TestPictures.withExifOrientation(jpeg, orientation, false)))
          .isEqualTo(orientation);
    }
  }

  @Test
  void shouldTreatAnythingElseAsUprightWithoutThrowing() {
    byte[] jpeg = TestPictures.encode(TestPictures.colour(40, 30, 1), "jpg");
    byte[] tagged = TestPictures.withExifOrientation(jpeg, 6, true);

    byte[] png = TestPictures.encode(TestPictures.grey(8, 8, 0), "png");
    assertThat(ExifOrientation.of(png)).isEqualTo(1);
    assertThat(ExifOrientation.of(TestPictures.withExifOrientation(jpeg, 9, true))).isEqualTo(1);
    assertThat(ExifOrientation.of(new byte[0])).isEqualTo(1);
    // a tagged JPEG cut at every 7th byte: never an exception, the tag or upright
    for (int length = 0; length < tagged.length; length += 7) {
      assertThat(ExifOrientation.of(Arrays.copyOf(tagged, length))).isIn(1, 6);
    }
  }

  @Test
  void shouldShowThePreprocessorAPortraitPhotoUpright() throws Exception {
    // stored sideways, as a phone held upright stores it: the bright top of the scene is at
    // the stored image's left, and the tag says to turn it 90 degrees clockwise
    BufferedImage sideways = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
    for (int y = 0; y < 28; y++) {
      for (int x = 0; x < 14; x++) {
        sideways.getRaster().setSample(x, y, 0, 255);
      }
    }
    byte[] jpeg = TestPictures.encode(sideways, "jpg");
    ImagePreprocessor fmnist = new ImagePreprocessor(InputShape.FASHION_MNIST);

    float[] untagged = fmnist.pixels(jpeg);
    float[] upright = fmnist.pixels(TestPictures.withExifOrientation(jpeg, 6, true));

    assertThat(mean(untagged, 0, 28, 0, 14)).as("as stored: bright left half").isGreaterThan(0.9);
    assertThat(mean(untagged, 0, 28, 14, 28)).isLessThan(0.1);
    assertThat(mean(upright, 0, 14, 0, 28)).as("turned upright: bright top half")
        .isGreaterThan(0.9);
    assertThat(mean(upright, 14, 28, 0, 28)).isLessThan(0.1);
  }

  /** Mean of rows [top, bottom) and columns [left, right) of a 28 x 28 image. */
  private static double mean(float[] pixels, int top, int bottom, int left, int right) {
    double sum = 0;
    for (int y = top; y < bottom; y++) {
      for (int x = left; x < right; x++) {
        sum += pixels[y * 28 + x];
      }
    }
    return sum / ((bottom - top) * (right - left));
  }
}
