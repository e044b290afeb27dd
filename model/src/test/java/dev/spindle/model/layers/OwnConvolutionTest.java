package dev.spindle.model.layers;

import static dev.spindle.model.layers.TestConvolutions.builder;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.function.Function;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class OwnConvolutionTest {

  @ParameterizedTest
  @ValueSource(strings = {"JavaInputConvolution", "SplitConvolution"})
  void shouldNeverEqualDl4jsOwnConvolutionEitherWayRound(String type) {
    Function<ConvolutionLayer.Builder, OwnConvolution> of = type.equals("SplitConvolution")
        ? SplitConvolution::of : JavaInputConvolution::of;
    ConvolutionLayer theirs = builder(1, 3).build();
    OwnConvolution ours = of.apply(builder(1, 3));

    assertThat(ours).isNotEqualTo(theirs);
    assertThat(theirs).isNotEqualTo(ours);
    assertThat(ours).isEqualTo(of.apply(builder(1, 3)))
        .hasSameHashCodeAs(of.apply(builder(1, 3)));
  }
}
