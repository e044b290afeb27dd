package dev.spindle.bench.ssl;

import dev.spindle.trainer.learn.Examples;
import java.util.Locale;
import picocli.CommandLine;

/**
 * Where a Fashion-MNIST benchmark scores: the 10k test set (for reporting), or the last 10k
 * training images (for tuning, so the test set never picks a setting); then the unlabeled
 * pools are drawn from the training images before them only.
 */
enum EvalSplit {
  TEST("the 10k test set"),
  HOLDOUT("the last 10k training images (tuning run; the test set is not used)");

  private static final int HOLDOUT_SIZE = 10_000;
  private final String description;

  EvalSplit(String description) {
    this.description = description;
  }

  /** {@code test} or {@code holdout}, as the {@code --eval} options take it. */
  static EvalSplit of(String value) {
    return switch (value) {
      case "test" -> TEST;
      case "holdout" -> HOLDOUT;
      default -> throw new IllegalArgumentException(
          "--eval must be test or holdout, was '" + value + "'");
    };
  }

  /** Lets picocli parse {@code --eval} once, with {@link #of}'s message for a bad value. */
  static final class Converter implements CommandLine.ITypeConverter<EvalSplit> {
    @Override
    public EvalSplit convert(String value) {
      try {
        return of(value);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(e.getMessage());
      }
    }
  }

  Examples scoring(FmnistData data) {
    return this == HOLDOUT ? data.lastTrain(HOLDOUT_SIZE) : data.test();
  }

  /** How many leading training images an unlabeled pool may be drawn from. */
  int poolCandidates(FmnistData data) {
    return data.train().size() - (this == HOLDOUT ? HOLDOUT_SIZE : 0);
  }

  String description() {
    return description;
  }

  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}
