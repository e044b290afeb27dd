package dev.spindle.schemas;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/** Image id = hex SHA-256 of the image bytes, so re-uploads of the same bytes are idempotent. */
public final class ImageIds {
  private static final Pattern ID = Pattern.compile("[0-9a-f]{64}");

  private ImageIds() {
  }

  public static String of(byte[] imageBytes) {
    return sha256Hex(imageBytes);
  }

  /** True for a well-formed id: 64 lower-case hex digits. */
  public static boolean isValid(String id) {
    return id != null && ID.matcher(id).matches();
  }

  public static String sha256Hex(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
