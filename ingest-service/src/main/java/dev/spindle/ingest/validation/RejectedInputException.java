package dev.spindle.ingest.validation;

/** An input that will not be published; the message says why in words a client can act on. */
public class RejectedInputException extends RuntimeException {
  private final Rejection reason;

  public RejectedInputException(Rejection reason, String message) {
    super(message);
    this.reason = reason;
  }

  public RejectedInputException(Rejection reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  public Rejection reason() {
    return reason;
  }
}
