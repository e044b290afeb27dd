package dev.spindle.ingest.validation;

/**
 * Why an input was refused. Each reason has a stable code (used in the JSON error and as the
 * metrics label) and the HTTP status it maps to.
 */
public enum Rejection {
  EMPTY_BODY(400),
  TOO_LARGE(413),
  WRONG_CONTENT_TYPE(415),
  UNSUPPORTED_FORMAT(415),
  UNDECODABLE(400),
  TRUNCATED(400),
  TOO_MANY_PIXELS(413),
  UNKNOWN_LABEL(400),
  BAD_REQUEST(400);

  private final int httpStatus;

  Rejection(int httpStatus) {
    this.httpStatus = httpStatus;
  }

  public int httpStatus() {
    return httpStatus;
  }

  /** The code clients and dashboards see, e.g. {@code too_many_pixels}. */
  public String code() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
