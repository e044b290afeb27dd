package dev.spindle.ingest.validation;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The class names labels may use. A name is matched ignoring case and anything but letters and
 * digits, so the folder {@code tshirt-top} and the query {@code t-shirt%2Ftop} both mean
 * {@code T-shirt/top}.
 */
public final class LabelNames {
  /** Fashion-MNIST's classes, in label-index order. */
  public static final List<String> FASHION_MNIST = dev.spindle.schemas.ClassNames.FASHION_MNIST;

  private final List<String> names;
  private final Map<String, String> byNormalised = new LinkedHashMap<>();

  public LabelNames(List<String> names) {
    this.names = List.copyOf(names);
    for (String name : names) {
      if (byNormalised.put(normalise(name), name) != null) {
        throw new IllegalArgumentException("two class names normalise to " + normalise(name));
      }
    }
  }

  /** The canonical name for {@code label}, if it names a class. */
  public Optional<String> resolve(String label) {
    return Optional.ofNullable(label).map(LabelNames::normalise).map(byNormalised::get);
  }

  /** Like {@link #resolve}, but an unknown label is a rejection listing the known ones. */
  public String require(String label) {
    return resolve(label).orElseThrow(() -> new RejectedInputException(Rejection.UNKNOWN_LABEL,
        "unknown label '" + label + "'; known labels: " + names));
  }

  public List<String> names() {
    return names;
  }

  private static String normalise(String s) {
    return s.toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{Nd}]", "");
  }
}
