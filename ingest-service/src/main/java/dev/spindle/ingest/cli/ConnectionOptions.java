package dev.spindle.ingest.cli;

import dev.spindle.ingest.IngestConfig;
import dev.spindle.schemas.config.ClientSettings;
import dev.spindle.schemas.config.Settings;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Option;

/** Options every ingest command shares: where the config file, broker and registry are. */
final class ConnectionOptions {
  @Option(names = {"-c", "--config"}, description = "Properties file with settings "
      + "(or the SPINDLE_CONFIG variable). SPINDLE_* variables override it.")
  Path configFile;

  @Option(names = "--bootstrap-servers", description = "Kafka bootstrap servers "
      + "(kafka.bootstrap.servers; default 127.0.0.1:9092, the local stack).")
  String bootstrapServers;

  @Option(names = "--registry-url", description = "Schema registry URL (schema.registry.url; "
      + "default http://127.0.0.1:8081/apis/ccompat/v7, the local stack).")
  String registryUrl;

  IngestConfig config(Map<String, String> extra) {
    Map<String, String> overrides = new HashMap<>(extra);
    overrides.put(ClientSettings.BOOTSTRAP_KEY, bootstrapServers);
    overrides.put(ClientSettings.REGISTRY_KEY, registryUrl);
    return IngestConfig.from(Settings.forCommandLine(Optional.ofNullable(configFile), overrides));
  }
}
