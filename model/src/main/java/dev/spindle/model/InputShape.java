package dev.spindle.model;

import java.util.Locale;

/**
 * The model's input: channels x height x width. Configuration, not a property of the data:
 * images of any size are resized and converted to it.
 */
public record InputShape(int channels, int height, int width) {
  public static final InputShape FASHION_MNIST = new InputShape(1, 28, 28);

  public InputShape {
    if (channels != 1 && channels != 3) {
      throw new IllegalArgumentException("channels must be 1 (grey) or 3 (RGB), was " + channels);
    }
    if (height < 8 || width < 8 || height > 1024 || width > 1024) {
      throw new IllegalArgumentException(
          "height and width must be between 8 and 1024, were " + height + "x" + width);
    }
  }

  /** Parses {@code CxHxW}, e.g. {@code 1x28x28}. */
  public static InputShape parse(String text) {
    String[] parts = text.trim().toLowerCase(Locale.ROOT).split("x");
    if (parts.length != 3) {
      throw new IllegalArgumentException(
          "input shape must be channels x height x width, e.g. 1x28x28, was '" + text + "'");
    }
    try {
      return new InputShape(
          Integer.parseInt(parts[0]), Integer.parseInt(parts[1]), Integer.parseInt(parts[2]));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("input shape '" + text + "' has a non-number part", e);
    }
  }

  /** Values per image. */
  public int size() {
    return channels * height * width;
  }

  public boolean isSquare() {
    return height == width;
  }

  @Override
  public String toString() {
    return channels + "x" + height + "x" + width;
  }
}
