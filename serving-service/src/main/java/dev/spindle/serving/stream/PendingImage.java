package dev.spindle.serving.stream;

import java.nio.ByteBuffer;

/**
 * An image waiting in the micro-batch buffer, as stored in the state store: the record's
 * timestamp and its raw value (the Avro {@code Image} bytes). Kept in a changelogged store so a
 * crash between buffering and predicting loses nothing.
 */
record PendingImage(long timestamp, byte[] value) {
  byte[] encode() {
    return ByteBuffer.allocate(Long.BYTES + value.length).putLong(timestamp).put(value).array();
  }

  static PendingImage decode(byte[] stored) {
    ByteBuffer buffer = ByteBuffer.wrap(stored);
    long timestamp = buffer.getLong();
    byte[] value = new byte[buffer.remaining()];
    buffer.get(value);
    return new PendingImage(timestamp, value);
  }
}
