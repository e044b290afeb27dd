package dev.spindle.trainer.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CheckpointStateTest {
  private static final CheckpointState WRITTEN = new CheckpointState(4, 120,
      Map.of("images.unlabeled-0", 500L), 2, 150, Map.of(0, 60L), "backbone-4.zip",
      Instant.EPOCH);

  @Test
  void shouldCoverTheSameWhenOnlyVersionFileAndTimeDiffer() {
    CheckpointState next = new CheckpointState(5, 120,
        new HashMap<>(Map.of("images.unlabeled-0", 500L)), 2, 150, new HashMap<>(Map.of(0, 60L)),
        null, Instant.now());

    assertThat(next.coversSameAs(WRITTEN)).isTrue();
  }

  @Test
  void shouldCoverMoreAfterAStepARecordOrAModel() {
    assertThat(next(121, 500, 2, 150).coversSameAs(WRITTEN)).isFalse();
    assertThat(next(120, 501, 2, 150).coversSameAs(WRITTEN)).isFalse();
    assertThat(next(120, 500, 3, 150).coversSameAs(WRITTEN)).isFalse();
    assertThat(next(120, 500, 2, 200).coversSameAs(WRITTEN)).isFalse();
  }

  private static CheckpointState next(long steps, long offset, long model, long labelEvents) {
    return new CheckpointState(5, steps, Map.of("images.unlabeled-0", offset), model,
        labelEvents, Map.of(0, 60L), null, Instant.EPOCH);
  }
}
