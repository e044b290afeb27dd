package dev.spindle.model.artifact;

/** A model artifact is missing, corrupt or does not match its checksum. */
public final class ArtifactIntegrityException extends Exception {
  public ArtifactIntegrityException(String message) {
    super(message);
  }

  public ArtifactIntegrityException(String message, Throwable cause) {
    super(message, cause);
  }
}
