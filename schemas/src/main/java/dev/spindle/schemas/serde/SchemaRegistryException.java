package dev.spindle.schemas.serde;

import org.apache.kafka.common.errors.SerializationException;

/** The schema registry could not be reached or refused a request; the message names the URL. */
public class SchemaRegistryException extends SerializationException {
  private final int status;

  public SchemaRegistryException(String message, int status, Throwable cause) {
    super(message, cause);
    this.status = status;
  }

  /** The HTTP status the registry answered with, or -1 when it could not be reached. */
  public int status() {
    return status;
  }
}
