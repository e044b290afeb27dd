package dev.spindle.ingest.publish;

/**
 * Kafka or the registry did not acknowledge in time (broker unreachable, buffer full, registry
 * down). Nothing was acknowledged to the client; it should retry later.
 */
public class PublishUnavailableException extends RuntimeException {
  public PublishUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
