package dev.spindle.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class TransferTriggerTest {
  private final TransferTrigger trigger = new TransferTrigger(50, Duration.ofMinutes(10), 10);
  private final Instant last = Instant.parse("2026-11-28T10:00:00Z");

  @Test
  void shouldFireOnceNNewLabelsArrived() {
    assertThat(trigger.shouldFire(49, 100, last, last.plusSeconds(60))).isFalse();
    assertThat(trigger.shouldFire(50, 100, last, last.plusSeconds(60))).isTrue();
  }

  @Test
  void shouldFireAfterTheIntervalWhenAnyNewLabelArrived() {
    assertThat(trigger.shouldFire(1, 100, last, last.plus(Duration.ofMinutes(9)))).isFalse();
    assertThat(trigger.shouldFire(1, 100, last, last.plus(Duration.ofMinutes(10)))).isTrue();
    assertThat(trigger.shouldFire(0, 100, last, last.plus(Duration.ofHours(5)))).isFalse();
  }

  @Test
  void shouldWaitForTheMinimumNumberOfLabels() {
    assertThat(trigger.shouldFire(9, 9, last, last.plus(Duration.ofHours(1)))).isFalse();
  }
}
