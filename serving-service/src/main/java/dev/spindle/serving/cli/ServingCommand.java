package dev.spindle.serving.cli;

import dev.spindle.schemas.config.ConnectionOptions;
import dev.spindle.serving.ServingConfig;
import dev.spindle.serving.ServingService;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code spindle-serving}: runs serving-service until Ctrl-C. */
@Command(name = "spindle-serving", mixinStandardHelpOptions = true,
    description = {"Spindle's serving-service: follows 'models', verifies, gates and hot-swaps "
        + "each new version, and answers POST /v1/predict.",
        "Settings come from --config / $SPINDLE_CONFIG and SPINDLE_* variables; see the "
            + "README for every serving.* key."})
public final class ServingCommand implements Callable<Integer> {
  @Mixin
  ConnectionOptions connection;

  @Option(names = "--port", description = "HTTP port (serving.http.port, default 8083).")
  Integer port;

  public static void main(String[] args) {
    System.exit(new CommandLine(new ServingCommand()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    Map<String, String> overrides = new HashMap<>();
    overrides.put("serving.http.port", port == null ? null : port.toString());
    dev.spindle.schemas.config.Settings settings = connection.settings(overrides);
    ServingConfig config = ServingConfig.from(settings);
    settings.warnUnread("serving.", org.slf4j.LoggerFactory.getLogger(ServingConfig.class));
    ServingService service = new ServingService(config).start();
    ConnectionOptions.runUntilShutdown("serving-service", service::close);
    return 0;
  }
}
