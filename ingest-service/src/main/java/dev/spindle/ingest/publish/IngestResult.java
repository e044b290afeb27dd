package dev.spindle.ingest.publish;

/**
 * The outcome of an accepted upload.
 *
 * @param id the image id (hex SHA-256)
 * @param duplicate true when the image was already in Kafka and was not published again
 * @param labeled true when a label was published with it (new image or label for a duplicate)
 */
public record IngestResult(String id, boolean duplicate, boolean labeled) {
}
