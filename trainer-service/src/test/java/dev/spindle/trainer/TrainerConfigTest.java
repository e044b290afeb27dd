package dev.spindle.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spindle.schemas.config.Settings;
import dev.spindle.trainer.learn.Cutout;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TrainerConfigTest {
  @Test
  void shouldPretrainWithoutCutoutUnlessConfigured() {
    assertThat(config(Map.of()).pretrainCutout()).isEqualTo(Cutout.NONE);
    assertThat(config(Map.of("trainer.pretrain.cutout", "10")).pretrainCutout())
        .isEqualTo(new Cutout(10));
  }

  @Test
  void shouldRefuseANegativeCutoutWithTheValue() {
    assertThatThrownBy(() -> config(Map.of("trainer.pretrain.cutout", "-3")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-3");
  }

  private static TrainerConfig config(Map<String, String> extra) {
    Map<String, String> values = new HashMap<>(Map.of(
        "kafka.bootstrap.servers", "127.0.0.1:9092",
        "schema.registry.url", "http://127.0.0.1:8081"));
    values.putAll(extra);
    return TrainerConfig.from(Settings.of(values));
  }
}
