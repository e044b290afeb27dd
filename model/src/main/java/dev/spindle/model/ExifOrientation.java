package dev.spindle.model;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.nio.charset.StandardCharsets;

/**
 * The EXIF orientation of a JPEG: phone and camera photos are often stored sideways or upside
 * down, with a tag (1-8) saying how to turn them for display. ImageIO ignores the tag, so
 * without this a portrait photo would reach the network turned by 90 degrees: misclassified,
 * and counted as drift by the rotation health check.
 */
final class ExifOrientation {
  /** The stored image is already upright (also: no tag, or one that cannot be read). */
  static final int UPRIGHT = 1;
  private static final int TAG = 0x0112;
  private static final int TYPE_SHORT = 3;
  private static final byte[] EXIF_HEADER = "Exif\0\0".getBytes(StandardCharsets.US_ASCII);

  private ExifOrientation() {}

  /** The orientation tag of {@code encoded} (1-8); 1 for anything else. Never throws. */
  static int of(byte[] encoded) {
    if (encoded.length < 4 || (encoded[0] & 0xFF) != 0xFF || (encoded[1] & 0xFF) != 0xD8) {
      return UPRIGHT;
    }
    int pos = 2;
    while (pos + 4 <= encoded.length && (encoded[pos] & 0xFF) == 0xFF) {
      int marker = encoded[pos + 1] & 0xFF;
      if (marker == 0xFF) {
        pos++; // fill byte
        continue;
      }
      if (marker == 0xDA || marker == 0xD9) {
        return UPRIGHT; // image data or its end: the metadata segments are behind us
      }
      if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {
        pos += 2; // markers without a length
        continue;
      }
      int length = u16(encoded, pos + 2, false);
      int end = pos + 2 + length;
      if (length < 2 || end > encoded.length) {
        return UPRIGHT;
      }
      if (marker == 0xE1 && startsWith(encoded, pos + 4, EXIF_HEADER)) {
        return fromTiff(encoded, pos + 4 + EXIF_HEADER.length, end);
      }
      pos = end;
    }
    return UPRIGHT;
  }

  /** The tag in IFD0 of the TIFF structure at {@code tiff} (up to {@code end}). */
  private static int fromTiff(byte[] b, int tiff, int end) {
    if (tiff + 8 > end) {
      return UPRIGHT;
    }
    boolean little;
    if (b[tiff] == 'I' && b[tiff + 1] == 'I') {
      little = true;
    } else if (b[tiff] == 'M' && b[tiff + 1] == 'M') {
      little = false;
    } else {
      return UPRIGHT;
    }
    if (u16(b, tiff + 2, little) != 42) {
      return UPRIGHT;
    }
    long ifd = tiff + (u32(b, tiff + 4, little));
    if (ifd + 2 > end) {
      return UPRIGHT;
    }
    int entries = u16(b, (int) ifd, little);
    for (int i = 0; i < entries; i++) {
      int entry = (int) ifd + 2 + 12 * i;
      if (entry + 12 > end) {
        return UPRIGHT;
      }
      if (u16(b, entry, little) == TAG) {
        int value = u16(b, entry + 8, little);
        boolean valid = u16(b, entry + 2, little) == TYPE_SHORT && value >= 1 && value <= 8;
        return valid ? value : UPRIGHT;
      }
    }
    return UPRIGHT;
  }

  /** Whether turning upright swaps width and height (orientations 5-8). */
  static boolean swapsSides(int orientation) {
    return orientation >= 5 && orientation <= 8;
  }

  /**
   * Maps the stored image's coordinates ({@code w} x {@code h}) to the upright image's
   * (EXIF's meaning: 2 mirrored, 3 turned 180 degrees, 4 flipped, 5 transposed, 6 to be
   * turned 90 degrees clockwise, 7 transversed, 8 to be turned 90 degrees counter-clockwise);
   * the identity for 1. The preprocessor folds it into its resize, so a large photo is never
   * copied at full size only to be turned.
   */
  static AffineTransform toUpright(int orientation, int w, int h) {
    return switch (orientation) {
      case 2 -> new AffineTransform(-1, 0, 0, 1, w, 0);
      case 3 -> new AffineTransform(-1, 0, 0, -1, w, h);
      case 4 -> new AffineTransform(1, 0, 0, -1, 0, h);
      case 5 -> new AffineTransform(0, 1, 1, 0, 0, 0);
      case 6 -> new AffineTransform(0, 1, -1, 0, h, 0);
      case 7 -> new AffineTransform(0, -1, -1, 0, h, w);
      case 8 -> new AffineTransform(0, -1, 1, 0, 0, w);
      default -> new AffineTransform();
    };
  }

  /**
   * {@code image} turned upright for {@code orientation} at its own size, pixel for pixel
   * (nearest neighbour); the same object for 1.
   */
  static BufferedImage upright(BufferedImage image, int orientation) {
    if (orientation < 2 || orientation > 8) {
      return image;
    }
    int w = image.getWidth();
    int h = image.getHeight();
    boolean swaps = swapsSides(orientation);
    ColorModel model = image.getColorModel();
    BufferedImage out = new BufferedImage(model,
        model.createCompatibleWritableRaster(swaps ? h : w, swaps ? w : h),
        model.isAlphaPremultiplied(), null);
    Graphics2D g = out.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_INTERPOLATION,
          RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR);
      g.drawImage(image, toUpright(orientation, w, h), null);
    } finally {
      g.dispose();
    }
    return out;
  }

  private static boolean startsWith(byte[] b, int at, byte[] prefix) {
    if (at + prefix.length > b.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if (b[at + i] != prefix[i]) {
        return false;
      }
    }
    return true;
  }

  private static int u16(byte[] b, int at, boolean little) {
    int first = b[at] & 0xFF;
    int second = b[at + 1] & 0xFF;
    return little ? first | second << 8 : first << 8 | second;
  }

  private static long u32(byte[] b, int at, boolean little) {
    long high = u16(b, little ? at + 2 : at, little);
    long low = u16(b, little ? at : at + 2, little);
    return high << 16 | low;
  }
}
