package dev.spindle.serving.holder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class GatePolicyTest {
  private final GatePolicy gate = GatePolicy.withMargin(0.01);

  @Test
  void shouldRejectACandidateThatLosesClearlyMoreImagesThanItWins() {
    GatingSet.Comparison clearlyWorse = new GatingSet.Comparison(100, 60, 90, 32, 2);
    assertThat(clearlyWorse.z()).isCloseTo(30 / Math.sqrt(34), within(1e-9));
    assertThat(gate.rejects(clearlyWorse)).isTrue();
  }

  @Test
  void shouldPromoteACandidateWhoseLossOnASmallGatingSetIsWithinChance() {
    // what a demo run saw: 45 hard gating images, 0.622 vs 0.644, one image apart
    GatingSet.Comparison oneImage = new GatingSet.Comparison(45, 28, 29, 3, 2);
    assertThat(oneImage.servingAccuracy() - oneImage.candidateAccuracy()).isGreaterThan(0.01);
    assertThat(gate.rejects(oneImage)).isFalse();
  }

  @Test
  void shouldPromoteACandidateWithinTheMarginEvenWhenTheLossIsReal() {
    assertThat(gate.rejects(new GatingSet.Comparison(2000, 1985, 2000, 15, 0))).isFalse();
  }

  @Test
  void shouldApplyTheBareMarginWhenMinZIsZero() {
    GatePolicy bare = new GatePolicy(0.01, 0);
    assertThat(bare.rejects(new GatingSet.Comparison(45, 28, 29, 3, 2))).isTrue();
  }

  @Test
  void shouldNeverRejectWithoutDiscordantImages() {
    GatingSet.Comparison same = new GatingSet.Comparison(10, 7, 7, 0, 0);
    assertThat(same.z()).isZero();
    assertThat(gate.rejects(same)).isFalse();
  }
}
