package dev.spindle.model;

import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
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

  /**
   * {@code image} turned upright for {@code orientation} (EXIF's meaning: 2 mirrored, 3 turned
   * 180 degrees, 4 flipped, 5 transposed, 6 to be turned 90 degrees clockwise, 7 transversed,
   * 8 to be turned 90 degrees counter-clockwise); the same object for 1. Pixels are copied
   * exactly, in the image's own colour model.
   */
  static BufferedImage upright(BufferedImage image, int orientation) {
    if (orientation < 2 || orientation > 8) {
      return image;
    }
    int w = image.getWidth();
    int h = image.getHeight();
    boolean swaps = orientation >= 5;
    ColorModel model = image.getColorModel();
    WritableRaster out = model.createCompatibleWritableRaster(swaps ? h : w, swaps ? w : h);
    Raster in = image.getRaster();
    Object pixel = null;
    for (int y = 0; y < out.getHeight(); y++) {
      for (int x = 0; x < out.getWidth(); x++) {
        int sx;
        int sy;
        switch (orientation) {
          case 2 -> { sx = w - 1 - x; sy = y; }
          case 3 -> { sx = w - 1 - x; sy = h - 1 - y; }
          case 4 -> { sx = x; sy = h - 1 - y; }
          case 5 -> { sx = y; sy = x; }
          case 6 -> { sx = y; sy = h - 1 - x; }
          case 7 -> { sx = w - 1 - y; sy = h - 1 - x; }
          default -> { sx = w - 1 - y; sy = x; } // 8
        }
        pixel = in.getDataElements(sx, sy, pixel);
        out.setDataElements(x, y, pixel);
      }
    }
    return new BufferedImage(model, out, model.isAlphaPremultiplied(), null);
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
