package dev.spindle.schemas;

import java.nio.ByteBuffer;

/** Avro {@code bytes} fields arrive as ByteBuffers; this copies one out without moving it. */
public final class AvroBytes {
  private AvroBytes() {}

  public static byte[] toArray(ByteBuffer buffer) {
    ByteBuffer copy = buffer.duplicate();
    byte[] out = new byte[copy.remaining()];
    copy.get(out);
    return out;
  }
}
