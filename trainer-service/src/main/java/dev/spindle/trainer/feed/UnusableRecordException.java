package dev.spindle.trainer.feed;

/** A record the trainer cannot learn from; the message says why (it goes to dead-letters). */
public final class UnusableRecordException extends Exception {
  public UnusableRecordException(String message, Throwable cause) {
    super(message, cause);
  }
}
