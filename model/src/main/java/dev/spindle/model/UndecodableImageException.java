package dev.spindle.model;

/** The bytes are not an image this library can read. The message says why. */
public final class UndecodableImageException extends Exception {
  public UndecodableImageException(String message) {
    super(message);
  }

  public UndecodableImageException(String message, Throwable cause) {
    super(message, cause);
  }
}
