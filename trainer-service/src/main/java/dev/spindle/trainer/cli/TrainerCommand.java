package dev.spindle.trainer.cli;

import dev.spindle.schemas.config.ConnectionOptions;
import dev.spindle.trainer.TrainerConfig;
import dev.spindle.trainer.TrainerService;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code spindle-trainer}: runs trainer-service until Ctrl-C. */
@Command(name = "spindle-trainer", mixinStandardHelpOptions = true,
    description = {"Spindle's trainer-service: pretrains a rotation backbone on every image "
        + "on images.unlabeled and images.labeled, and publishes a classifier to 'models' "
        + "whenever enough new labels arrived. Resumes from its checkpoint directory.",
        "Settings come from --config / $SPINDLE_CONFIG and SPINDLE_* variables; see the "
            + "README for every trainer.* key."})
public final class TrainerCommand implements Callable<Integer> {
  @Mixin
  ConnectionOptions connection;

  @Option(names = "--checkpoint-dir", description = "Checkpoints (trainer.checkpoint.dir).")
  Path checkpointDir;

  @Option(names = "--model-store", description = "Model artifacts (trainer.model.store).")
  Path modelStore;

  @Option(names = "--port", description = "HTTP port for /healthz and /metrics "
      + "(trainer.http.port, default 8082).")
  Integer port;

  public static void main(String[] args) {
    System.exit(new CommandLine(new TrainerCommand()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    Map<String, String> overrides = new HashMap<>();
    overrides.put("trainer.checkpoint.dir", checkpointDir == null ? null : checkpointDir.toString());
    overrides.put("trainer.model.store", modelStore == null ? null : modelStore.toString());
    overrides.put("trainer.http.port", port == null ? null : port.toString());
    dev.spindle.schemas.config.Settings settings = connection.settings(overrides);
    TrainerConfig config = TrainerConfig.from(settings);
    settings.warnUnread("trainer.", org.slf4j.LoggerFactory.getLogger(TrainerConfig.class));
    TrainerService service = new TrainerService(config).start();
    ConnectionOptions.runUntilShutdown("trainer-service", service::close);
    return 0;
  }
}
