package dev.spindle.trainer.learn;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TransferRecipeTest {
  @Test
  void shouldChangeOnlyTheBaselineEpochs() {
    TransferRecipe protocol = TransferRecipe.protocol(7);
    TransferRecipe longer = protocol.withSupervisedEpochs(400);
    assertThat(longer.supervisedEpochs()).isEqualTo(400);
    assertThat(longer).usingRecursiveComparison().ignoringFields("supervisedEpochs")
        .isEqualTo(protocol);
  }
}
