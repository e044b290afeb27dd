package dev.spindle.ingest.validation;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.event.IIOReadWarningListener;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Decides whether bytes are an image Spindle accepts: non-empty, within the byte limit, PNG or
 * JPEG by their magic bytes (and by the declared content type, when one is given), within the
 * pixel limit according to the header (read before any decoding, so a decompression bomb is
 * refused cheaply), and fully decodable: a PNG by {@link PngCheck} (chunk CRCs, the image data
 * inflated to exactly its declared size), a JPEG by decoding it, where a truncated file fails
 * even though ImageIO would decode it partially with only a warning.
 */
public final class ImageValidator {
  public static final String PNG = "image/png";
  public static final String JPEG = "image/jpeg";
  private static final Set<String> GENERIC_TYPES =
      Set.of("application/octet-stream", "image/*", "*/*");

  private final ImageLimits limits;

  public ImageValidator(ImageLimits limits) {
    this.limits = limits;
  }

  /**
   * Validates {@code bytes}; {@code declaredType} is the request's content type, or empty.
   *
   * @throws RejectedInputException with the reason, when the image is not accepted
   */
  public ValidImage validate(byte[] bytes, Optional<String> declaredType) {
    if (bytes == null || bytes.length == 0) {
      throw new RejectedInputException(Rejection.EMPTY_BODY, "the body is empty: send the image"
          + " bytes (PNG or JPEG) as the request body");
    }
    if (bytes.length > limits.maxBytes()) {
      throw tooLarge(bytes.length);
    }
    String mediaType = sniff(bytes).orElseThrow(() -> new RejectedInputException(
        Rejection.UNSUPPORTED_FORMAT, "not a PNG or JPEG image (unrecognised magic bytes)"));
    declaredType.map(ImageValidator::baseType).ifPresent(declared -> {
      if (!declared.equals(mediaType) && !GENERIC_TYPES.contains(declared)) {
        throw new RejectedInputException(Rejection.WRONG_CONTENT_TYPE, "content type " + declared
            + " does not match the body, which is " + mediaType);
      }
    });
    return mediaType.equals(PNG) ? PngCheck.check(bytes, limits.maxPixels())
        : decode(bytes, mediaType);
  }

  /** Rejection for a body over the byte limit. */
  public RejectedInputException tooLarge(long length) {
    return new RejectedInputException(Rejection.TOO_LARGE, "the image has " + length
        + " bytes; the limit is " + limits.maxBytes());
  }

  public ImageLimits limits() {
    return limits;
  }

  static Optional<String> sniff(byte[] b) {
    if (b.length >= 8 && (b[0] & 0xFF) == 0x89 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G'
        && b[4] == 0x0D && b[5] == 0x0A && b[6] == 0x1A && b[7] == 0x0A) {
      return Optional.of(PNG);
    }
    if (b.length >= 3 && (b[0] & 0xFF) == 0xFF && (b[1] & 0xFF) == 0xD8 && (b[2] & 0xFF) == 0xFF) {
      return Optional.of(JPEG);
    }
    return Optional.empty();
  }

  private static String baseType(String contentType) {
    return contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
  }

  private ValidImage decode(byte[] bytes, String mediaType) {
    // in memory: ImageIO.createImageInputStream would cache each upload in a temp file
    try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
      ImageReader reader = readerFor(in, mediaType);
      try {
        reader.setInput(in, true, true);
        int width = reader.getWidth(0);
        int height = reader.getHeight(0);
        checkPixels(width, height);
        StringBuilder warnings = new StringBuilder();
        reader.addIIOReadWarningListener(collectInto(warnings));
        reader.read(0);
        if (warnings.length() > 0) {
          throw new RejectedInputException(Rejection.TRUNCATED,
              "the image is damaged or truncated: " + warnings);
        }
        return new ValidImage(bytes, mediaType, width, height);
      } finally {
        reader.dispose();
      }
    } catch (IOException | RuntimeException e) {
      if (e instanceof RejectedInputException rejected) {
        throw rejected;
      }
      throw undecodable(e);
    }
  }

  private void checkPixels(int width, int height) {
    long pixels = (long) width * height;
    if (width <= 0 || height <= 0) {
      throw new RejectedInputException(Rejection.UNDECODABLE,
          "the header declares an empty image (" + width + "x" + height + ")");
    }
    if (pixels > limits.maxPixels()) {
      throw new RejectedInputException(Rejection.TOO_MANY_PIXELS, "the header declares "
          + width + "x" + height + " = " + pixels + " pixels; the limit is " + limits.maxPixels());
    }
  }

  private static ImageReader readerFor(ImageInputStream in, String mediaType) {
    Iterator<ImageReader> readers = ImageIO.getImageReadersByMIMEType(mediaType);
    if (in == null || !readers.hasNext()) {
      throw new RejectedInputException(Rejection.UNSUPPORTED_FORMAT, "no decoder for " + mediaType);
    }
    return readers.next();
  }

  private static IIOReadWarningListener collectInto(StringBuilder warnings) {
    return (source, warning) -> warnings.append(warnings.length() > 0 ? "; " : "").append(warning);
  }

  private static RejectedInputException undecodable(Exception e) {
    String detail = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    boolean truncated = false;
    for (Throwable t = e; t != null; t = t.getCause()) {
      String message = String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT);
      truncated |= t instanceof java.io.EOFException || message.contains("eof")
          || message.contains("end of") || message.contains("premature")
          || message.contains("truncat");
      if (t.getCause() != null && t.getCause().getMessage() != null) {
        detail = detail + " (" + t.getCause().getMessage() + ")";
      }
    }
    return new RejectedInputException(truncated ? Rejection.TRUNCATED : Rejection.UNDECODABLE,
        (truncated ? "the image is truncated: " : "the image cannot be decoded: ") + detail, e);
  }
}
