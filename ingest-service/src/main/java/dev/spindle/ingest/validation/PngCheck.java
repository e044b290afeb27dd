package dev.spindle.ingest.validation;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * A complete PNG validity check that is far cheaper than decoding to pixels: every chunk's
 * length and CRC, IHDR first and IEND present, the pixel limit from IHDR before anything is
 * inflated, and the image data inflated (zlib with its Adler-32 check) to exactly the size the
 * header implies, each scanline starting with a valid filter type. What passes here decodes.
 */
final class PngCheck {
  private static final int SIGNATURE_BYTES = 8;
  private static final int IHDR = chunkType("IHDR");
  private static final int IDAT = chunkType("IDAT");
  private static final int IEND = chunkType("IEND");
  /**
   * One inflater and CRC per thread, reset for each image: creating and ending a zlib stream
   * per image cost more than checking a small image's data.
   */
  private static final ThreadLocal<Tools> TOOLS = ThreadLocal.withInitial(Tools::new);
  private static final int[][] ADAM7 = {
      {0, 0, 8, 8}, {4, 0, 8, 8}, {0, 4, 4, 8}, {2, 0, 4, 4}, {0, 2, 2, 4}, {1, 0, 2, 2},
      {0, 1, 1, 2}};

  private PngCheck() {
  }

  /** Validates {@code bytes} (already known to start with the PNG signature). */
  static ValidImage check(byte[] bytes, long maxPixels) {
    ByteBuffer in = ByteBuffer.wrap(bytes);
    in.position(SIGNATURE_BYTES);
    Header header = null;
    Tools tools = TOOLS.get();
    Inflater inflater = tools.inflater;
    CRC32 crc = tools.crc;
    inflater.reset();
    Progress data = null;
    try {
      while (true) {
        if (in.remaining() < 12) {
          throw truncated("it ends before the IEND chunk");
        }
        int length = in.getInt();
        if (length < 0 || length > in.remaining() - 8) {
          throw truncated("a chunk declares " + length + " bytes but " + (in.remaining() - 8)
              + " remain");
        }
        int typeAt = in.position();
        int type = in.getInt();
        int dataAt = typeAt + 4;
        in.position(dataAt + length);
        int storedCrc = in.getInt();
        crc.reset();
        crc.update(bytes, typeAt, 4 + length);
        if ((int) crc.getValue() != storedCrc) {
          throw damaged("the CRC of chunk " + typeName(bytes, typeAt) + " does not match");
        }
        if (header == null) {
          if (type != IHDR || length != 13) {
            throw damaged("the first chunk is " + typeName(bytes, typeAt) + ", not IHDR");
          }
          header = Header.parse(ByteBuffer.wrap(bytes, dataAt, 13), maxPixels);
          data = new Progress(header);
        } else if (type == IDAT) {
          inflater.setInput(bytes, dataAt, length);
          data.inflateFrom(inflater);
        } else if (type == IEND) {
          break;
        }
      }
      if (!inflater.finished() || data.produced != data.expected) {
        throw truncated("the image data holds " + data.produced + " of " + data.expected
            + " bytes");
      }
      return new ValidImage(bytes, ImageValidator.PNG, header.width, header.height);
    } finally {
      // drop the reference to this image's bytes; the next image resets the stream anyway
      inflater.reset();
    }
  }

  private static int chunkType(String name) {
    return ByteBuffer.wrap(name.getBytes(StandardCharsets.ISO_8859_1)).getInt();
  }

  private static String typeName(byte[] bytes, int at) {
    return new String(bytes, at, 4, StandardCharsets.ISO_8859_1);
  }

  /** A thread's reusable zlib stream and checksum. */
  private static final class Tools {
    final Inflater inflater = new Inflater();
    final CRC32 crc = new CRC32();
  }

  /**
   * Inflated image data so far, counted (not kept: a 40 MP image must not cost 160 MB to
   * validate) with each scanline's filter type checked as it passes.
   */
  private static final class Progress {
    private final Header header;
    private final long expected;
    private final long stride;
    private final byte[] scratch;
    private long produced;

    Progress(Header header) {
      this.header = header;
      this.expected = header.rawBytes();
      this.stride = 1 + header.rowBytes(header.width);
      this.scratch = new byte[(int) Math.min(1 << 16, expected + 1)];
    }

    void inflateFrom(Inflater inflater) {
      try {
        while (!inflater.needsInput() && !inflater.finished()) {
          int n = inflater.inflate(scratch);
          if (n == 0 && inflater.needsDictionary()) {
            throw damaged("the image data needs a preset dictionary");
          }
          checkFilters(n);
          produced += n;
          if (produced > expected) {
            throw damaged("the image data is larger than the header says");
          }
        }
      } catch (DataFormatException e) {
        throw damaged("the image data is corrupt: " + e.getMessage());
      }
    }

    /** Non-interlaced images: every scanline starts with a filter type 0..4. */
    private void checkFilters(int n) {
      if (header.interlaced) {
        return;
      }
      long first = (produced + stride - 1) / stride * stride;
      for (long at = first; at < produced + n && at < expected; at += stride) {
        int filter = scratch[(int) (at - produced)] & 0xFF;
        if (filter > 4) {
          throw damaged("scanline " + at / stride + " has filter type " + filter);
        }
      }
    }
  }

  private static RejectedInputException truncated(String why) {
    return new RejectedInputException(Rejection.TRUNCATED, "the PNG is truncated: " + why);
  }

  private static RejectedInputException damaged(String why) {
    return new RejectedInputException(Rejection.UNDECODABLE, "the PNG cannot be decoded: " + why);
  }

  /** IHDR's fields, and the raw (filtered, uncompressed) size they imply. */
  private record Header(int width, int height, int bitsPerPixel, boolean interlaced) {

    static Header parse(ByteBuffer ihdr, long maxPixels) {
      int width = ihdr.getInt();
      int height = ihdr.getInt();
      int bitDepth = ihdr.get() & 0xFF;
      int colorType = ihdr.get() & 0xFF;
      int compression = ihdr.get() & 0xFF;
      int filter = ihdr.get() & 0xFF;
      int interlace = ihdr.get() & 0xFF;
      if (width <= 0 || height <= 0) {
        throw damaged("the header declares an empty image (" + width + "x" + height + ")");
      }
      long pixels = (long) width * height;
      if (pixels > maxPixels) {
        throw new RejectedInputException(Rejection.TOO_MANY_PIXELS, "the header declares "
            + width + "x" + height + " = " + pixels + " pixels; the limit is " + maxPixels);
      }
      int samples = switch (colorType) {
        case 0, 3 -> 1;
        case 2 -> 3;
        case 4 -> 2;
        case 6 -> 4;
        default -> throw damaged("unknown colour type " + colorType);
      };
      if (compression != 0 || filter != 0 || interlace > 1 || !validDepth(colorType, bitDepth)) {
        throw damaged("unsupported header (bit depth " + bitDepth + ", colour type " + colorType
            + ", compression " + compression + ", filter " + filter + ", interlace " + interlace
            + ")");
      }
      return new Header(width, height, samples * bitDepth, interlace == 1);
    }

    private static boolean validDepth(int colorType, int bitDepth) {
      return switch (colorType) {
        case 0 -> bitDepth == 1 || bitDepth == 2 || bitDepth == 4 || bitDepth == 8 || bitDepth == 16;
        case 3 -> bitDepth == 1 || bitDepth == 2 || bitDepth == 4 || bitDepth == 8;
        default -> bitDepth == 8 || bitDepth == 16;
      };
    }

    long rawBytes() {
      if (!interlaced) {
        return height * (1 + rowBytes(width));
      }
      long total = 0;
      for (int[] pass : ADAM7) {
        long w = passSize(width, pass[0], pass[2]);
        long h = passSize(height, pass[1], pass[3]);
        if (w > 0 && h > 0) {
          total += h * (1 + rowBytes(w));
        }
      }
      return total;
    }

    private long rowBytes(long pixels) {
      return (pixels * bitsPerPixel + 7) / 8;
    }

    private static long passSize(int size, int start, int step) {
      return size > start ? (size - start + step - 1) / step : 0;
    }
  }
}
