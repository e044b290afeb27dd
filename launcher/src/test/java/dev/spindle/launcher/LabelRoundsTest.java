package dev.spindle.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spindle.model.artifact.ModelManifest;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LabelRoundsTest {
  private static final int ON_UPLOAD = 50;
  private static final long S = 1_000_000_000L;

  private static PipelineWatch.Served served(long version, int labelsUsed, long atSeconds) {
    return new PipelineWatch.Served(new ModelManifest("m", version, version, "1x28x28",
        List.of("a", "b"), 4, labelsUsed, Map.of("accuracy", 0.5), new int[0][0], Instant.EPOCH,
        "00"), atSeconds * S);
  }

  @Test
  void shouldTimeARoundToTheFirstServedModelThatIncludesItsLabels() {
    LabelRounds rounds = new LabelRounds();
    rounds.add(new Annotator.Round(40, 10, 100 * S));
    PipelineWatch.Served first = served(1, 50, 60);
    PipelineWatch.Served stale = served(2, 50, 105); // served after the round, trained before it
    PipelineWatch.Served withRound = served(3, 100, 112);
    List<PipelineWatch.Served> all = List.of(first, stale, withRound);

    assertThat(rounds.roundLatency(0, all, ON_UPLOAD)).isEqualTo(12.0);
    assertThat(rounds.latencySeconds(withRound, all, ON_UPLOAD)).isEqualTo(12.0);
    assertThat(rounds.latencySeconds(first, all, ON_UPLOAD)).isNull();
    assertThat(rounds.latencySeconds(stale, all, ON_UPLOAD)).isNull();
  }

  @Test
  void shouldGiveAModelThatCaughtUpOnTwoRoundsTheLatencyOfTheNewer() {
    LabelRounds rounds = new LabelRounds();
    rounds.add(new Annotator.Round(50, 0, 100 * S));
    rounds.add(new Annotator.Round(50, 0, 130 * S));
    PipelineWatch.Served both = served(2, 150, 140);

    assertThat(rounds.latencySeconds(both, List.of(both), ON_UPLOAD)).isEqualTo(10.0);
    assertThat(rounds.medianLatency(List.of(both), ON_UPLOAD)).isEqualTo(25.0); // of 40 and 10
    assertThat(rounds.sent()).isEqualTo(100);
    assertThat(rounds.fromRequests()).isEqualTo(100);
  }

  @Test
  void shouldHaveNoMedianWhileNoRoundWasServed() {
    LabelRounds rounds = new LabelRounds();
    rounds.add(new Annotator.Round(0, 50, 100 * S));
    assertThat(rounds.medianLatency(List.of(served(1, 50, 60)), ON_UPLOAD)).isNull();
  }
}
