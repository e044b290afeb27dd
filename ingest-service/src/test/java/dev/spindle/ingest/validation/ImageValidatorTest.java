package dev.spindle.ingest.validation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spindle.ingest.TestImages;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;

class ImageValidatorTest {
  private final ImageValidator validator = new ImageValidator(ImageLimits.defaults());

  @Test
  void shouldAcceptARealPngWithItsSize() {
    ValidImage image = validator.validate(TestImages.png(0), Optional.of("image/png"));

    assertThat(image.mediaType()).isEqualTo("image/png");
    assertThat(image.width()).isEqualTo(28);
    assertThat(image.height()).isEqualTo(28);
  }

  @Test
  void shouldAcceptAColourJpegOfAnySizeUnderTheLimits() {
    ValidImage image = validator.validate(TestImages.jpeg(1), Optional.empty());

    assertThat(image.mediaType()).isEqualTo("image/jpeg");
    assertThat(image.width()).isEqualTo(224);
  }

  @Test
  void shouldAcceptAGenericContentType() {
    assertThat(validator.validate(TestImages.png(2), Optional.of("application/octet-stream")))
        .isNotNull();
  }

  @Test
  void shouldAcceptPngsOfEveryColourTypeImageIoWrites() throws Exception {
    for (int type : new int[] {java.awt.image.BufferedImage.TYPE_INT_ARGB,
        java.awt.image.BufferedImage.TYPE_INT_RGB, java.awt.image.BufferedImage.TYPE_BYTE_INDEXED,
        java.awt.image.BufferedImage.TYPE_USHORT_GRAY, java.awt.image.BufferedImage.TYPE_BYTE_BINARY}) {
      java.awt.image.BufferedImage image = new java.awt.image.BufferedImage(57, 31, type);
      image.getGraphics().drawImage(TestImages.picture(7), 0, 0, null);
      java.io.ByteArrayOutputStream png = new java.io.ByteArrayOutputStream();
      javax.imageio.ImageIO.write(image, "png", png);

      assertThat(validator.validate(png.toByteArray(), Optional.empty()).width()).isEqualTo(57);
    }
  }

  @Test
  void shouldRejectAPngWhoseImageDataWasDamaged() {
    byte[] png = TestImages.png(8);
    png[png.length - 20] ^= 0x5A;

    assertRejected(png, Optional.empty(), Rejection.UNDECODABLE);
  }

  @Test
  void shouldRejectAnEmptyBody() {
    assertRejected(new byte[0], Optional.empty(), Rejection.EMPTY_BODY);
  }

  @Test
  void shouldRejectTruncatedPng() {
    assertRejected(TestImages.truncated(TestImages.png(3), 0.6), Optional.empty(),
        Rejection.TRUNCATED);
  }

  @Test
  void shouldRejectTruncatedJpegThatImageIoWouldOnlyWarnAbout() {
    assertRejected(TestImages.truncated(TestImages.jpeg(4), 0.5), Optional.empty(),
        Rejection.TRUNCATED);
  }

  @Test
  void shouldRejectBytesThatAreNoImage() {
    assertRejected("hello, not an image".getBytes(StandardCharsets.UTF_8), Optional.empty(),
        Rejection.UNSUPPORTED_FORMAT);
  }

  @Test
  void shouldRejectAContentTypeThatContradictsTheBytes() {
    assertRejected(TestImages.png(5), Optional.of("image/jpeg"), Rejection.WRONG_CONTENT_TYPE);
  }

  @Test
  void shouldRejectADecompressionBombFromItsHeaderAlone() {
    assertRejected(TestImages.pngClaiming(100_000, 100_000), Optional.empty(),
        Rejection.TOO_MANY_PIXELS);
  }

  @Test
  void shouldRejectBodiesOverTheByteLimit() {
    ImageValidator small = new ImageValidator(new ImageLimits(100, 1_000_000));

    assertThatThrownBy(() -> small.validate(TestImages.png(6), Optional.empty()))
        .isInstanceOfSatisfying(RejectedInputException.class,
            e -> assertThat(e.reason()).isEqualTo(Rejection.TOO_LARGE))
        .hasMessageContaining("limit is 100");
  }

  @Test
  void shouldValidateTheNextPngNormallyAfterOneWhoseCompressedDataIsCorrupt() {
    // valid chunk CRCs, but the deflate stream starts with a block of the reserved type, so the
    // failure comes from inside the inflater, which this thread then reuses for the next image
    byte[] corrupt = withImageDataByte(TestImages.png(4), 2, (byte) 0xFF);

    assertThatThrownBy(() -> validator.validate(corrupt, Optional.empty()))
        .isInstanceOfSatisfying(RejectedInputException.class,
            e -> assertThat(e.reason()).isEqualTo(Rejection.UNDECODABLE))
        .hasMessageContaining("image data is corrupt");
    ValidImage next = validator.validate(TestImages.png(5), Optional.empty());
    assertThat(next.width()).isEqualTo(28);
    assertThat(next.height()).isEqualTo(28);
  }

  /** {@code png} with byte {@code at} of its first IDAT chunk's data replaced, CRC updated. */
  private static byte[] withImageDataByte(byte[] png, int at, byte value) {
    byte[] out = png.clone();
    ByteBuffer in = ByteBuffer.wrap(out);
    int position = 8;
    while (true) {
      int length = in.getInt(position);
      String type = new String(out, position + 4, 4, StandardCharsets.ISO_8859_1);
      if (type.equals("IDAT")) {
        out[position + 8 + at] = value;
        CRC32 crc = new CRC32();
        crc.update(out, position + 4, 4 + length);
        in.putInt(position + 8 + length, (int) crc.getValue());
        return out;
      }
      position += 12 + length;
    }
  }

  private void assertRejected(byte[] bytes, Optional<String> type, Rejection reason) {
    assertThatThrownBy(() -> validator.validate(bytes, type))
        .isInstanceOfSatisfying(RejectedInputException.class,
            e -> assertThat(e.reason()).isEqualTo(reason))
        .hasMessageNotContaining("null");
  }
}
