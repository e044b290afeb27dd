package dev.spindle.schemas;

import dev.spindle.schemas.config.Settings;
import java.util.Arrays;
import java.util.List;

/**
 * The class names every service agrees on (config key {@value #KEY}, comma-separated). A
 * label on a topic is always one of these, spelled exactly so; its index is the model's
 * output index.
 */
public final class ClassNames {
  public static final String KEY = "labels.classes";
  public static final List<String> FASHION_MNIST = List.of("T-shirt/top", "Trouser", "Pullover",
      "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

  private ClassNames() {}

  /** The configured names, Fashion-MNIST's by default. */
  public static List<String> from(Settings settings) {
    return settings.find(KEY)
        .map(v -> Arrays.stream(v.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList())
        .orElse(FASHION_MNIST);
  }
}
