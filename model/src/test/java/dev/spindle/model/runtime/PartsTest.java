package dev.spindle.model.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.util.List;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class PartsTest {

  @Test
  void shouldCoverEveryRowOnceWithTheResultsInPartOrder() {
    List<long[]> ranges = Parts.run(3, 37, (part, from, to) -> new long[] {part, from, to});

    assertThat(ranges).extracting(r -> r[0]).containsExactly(0L, 1L, 2L);
    assertThat(ranges.get(0)[1]).isZero();
    assertThat(ranges.get(0)[2]).isEqualTo(ranges.get(1)[1]);
    assertThat(ranges.get(1)[2]).isEqualTo(ranges.get(2)[1]);
    assertThat(ranges.get(2)[2]).isEqualTo(37);
  }

  @Test
  void shouldWaitForEveryPartBeforeRethrowingAFailure() {
    AtomicBoolean firstFailed = new AtomicBoolean();
    AtomicBoolean otherFinished = new AtomicBoolean();

    assertThatThrownBy(() -> Parts.run(2, 16, (part, from, to) -> {
      if (part == 0) {
        firstFailed.set(true);
        throw new IllegalArgumentException("part 0 failed");
      }
      // still working after the first part failed: the caller must wait for it
      await().atMost(Duration.ofSeconds(10)).untilTrue(firstFailed);
      otherFinished.set(true);
      return null;
    })).hasMessage("part 0 failed");
    assertThat(otherFinished).as("the other part had finished").isTrue();
  }

  @Test
  void shouldNotSplitBatchesSmallerThanTwoParts() {
    assertThat(Parts.of(15, 8)).isLessThan(2);
    assertThat(Parts.of(64, 8)).isEqualTo(Math.min(Dl4jRuntime.threadsHere(), 8));
  }
}
