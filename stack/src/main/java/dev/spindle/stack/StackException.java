package dev.spindle.stack;

/** The local stack could not start or stop; the message says which part and why. */
public class StackException extends RuntimeException {
  public StackException(String message, Throwable cause) {
    super(message, cause);
  }
}
