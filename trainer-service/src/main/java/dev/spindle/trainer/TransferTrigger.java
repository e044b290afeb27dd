package dev.spindle.trainer;

import java.time.Duration;
import java.time.Instant;

/**
 * When to run a transfer: after {@code everyLabels} new label events, or when
 * {@code every} has passed since the last transfer and any new label arrived; never with
 * fewer than {@code minLabels} labeled images in all.
 */
public record TransferTrigger(int everyLabels, Duration every, int minLabels) {

  public boolean shouldFire(long newLabels, int totalLabels, Instant lastTransfer, Instant now) {
    if (newLabels <= 0 || totalLabels < minLabels) {
      return false;
    }
    return newLabels >= everyLabels || !now.isBefore(lastTransfer.plus(every));
  }
}
