package dev.spindle.model.onednn;

/** A oneDNN call failed (e.g. no implementation for a layer's shape on this CPU). */
public class OneDnnException extends RuntimeException {
  public OneDnnException(String message) {
    super(message);
  }
}
