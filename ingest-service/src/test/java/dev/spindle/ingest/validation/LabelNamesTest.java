package dev.spindle.ingest.validation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class LabelNamesTest {
  private final LabelNames names = new LabelNames(LabelNames.FASHION_MNIST);

  @Test
  void shouldResolveFolderFriendlySpellingsToTheCanonicalName() {
    assertThat(names.resolve("tshirt-top")).contains("T-shirt/top");
    assertThat(names.resolve("ANKLE_BOOT")).contains("Ankle boot");
    assertThat(names.resolve("Sneaker")).contains("Sneaker");
  }

  @Test
  void shouldRejectAnUnknownLabelListingTheKnownOnes() {
    assertThatThrownBy(() -> names.require("giraffe"))
        .isInstanceOf(RejectedInputException.class)
        .hasMessageContaining("giraffe")
        .hasMessageContaining("Ankle boot");
  }
}
