package dev.spindle.schemas.serde;

/**
 * Confluent's wire format: magic byte 0, the schema's 4-byte big-endian global id, then the
 * Avro binary encoding of the value.
 */
final class WireFormat {
  static final byte MAGIC = 0;
  static final int HEADER_BYTES = 5;

  private WireFormat() {
  }

  /** TopicNameStrategy: the subject of a topic's values is {@code <topic>-value}. */
  static String subject(String topic, boolean isKey) {
    return topic + (isKey ? "-key" : "-value");
  }
}
