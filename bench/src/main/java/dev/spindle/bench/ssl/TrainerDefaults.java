package dev.spindle.bench.ssl;

import dev.spindle.schemas.config.ClientSettings;
import dev.spindle.schemas.config.Settings;
import dev.spindle.trainer.TrainerConfig;
import java.util.Map;

/** The streaming trainer's configuration with only the addresses set: its defaults, not copies. */
final class TrainerDefaults {
  private TrainerDefaults() {}

  static TrainerConfig config() {
    return TrainerConfig.from(Settings.of(Map.of(
        ClientSettings.BOOTSTRAP_KEY, Settings.LOCAL_BOOTSTRAP,
        ClientSettings.REGISTRY_KEY, Settings.LOCAL_REGISTRY)));
  }
}
