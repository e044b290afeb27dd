package dev.spindle.ingest.validation;

/**
 * Limits on uploads.
 *
 * @param maxBytes largest accepted body
 * @param maxPixels largest accepted width x height, checked from the header before decoding
 */
public record ImageLimits(long maxBytes, long maxPixels) {
  public static final long DEFAULT_MAX_BYTES = 10L * 1024 * 1024;
  public static final long DEFAULT_MAX_PIXELS = 40_000_000L;

  public static ImageLimits defaults() {
    return new ImageLimits(DEFAULT_MAX_BYTES, DEFAULT_MAX_PIXELS);
  }
}
