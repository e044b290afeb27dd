package dev.spindle.ingest.http;

/**
 * The most a {@code POST /v1/images/batch} request may hold: {@code maxImages} image lines and
 * {@code maxBytes} of body. A batch over either is refused whole (413), before anything is
 * published.
 */
public record BatchLimits(int maxImages, long maxBytes) {
  public static final int DEFAULT_MAX_IMAGES = 1000;
  public static final long DEFAULT_MAX_BYTES = 64L * 1024 * 1024;

  public BatchLimits {
    if (maxImages < 1 || maxBytes < 1) {
      throw new IllegalArgumentException("batch limits must be positive, got " + maxImages
          + " images and " + maxBytes + " bytes");
    }
  }
}
