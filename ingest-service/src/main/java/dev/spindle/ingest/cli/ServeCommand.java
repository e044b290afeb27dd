package dev.spindle.ingest.cli;

import dev.spindle.ingest.IngestConfig;

import dev.spindle.schemas.config.ConnectionOptions;

import dev.spindle.ingest.IngestService;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "serve", mixinStandardHelpOptions = true,
    description = "Runs the HTTP API (POST /v1/images, POST /v1/labels, GET /healthz, "
        + "GET /metrics) and the label join until Ctrl-C.")
final class ServeCommand implements Callable<Integer> {
  @Mixin
  ConnectionOptions connection;

  @Option(names = "--port", description = "HTTP port (ingest.http.port, default 8080).")
  Integer port;

  @Override
  public Integer call() throws InterruptedException {
    Map<String, String> extra = new HashMap<>();
    if (port != null) {
      extra.put("ingest.http.port", port.toString());
    }
    dev.spindle.schemas.config.Settings settings = connection.settings(extra);
    IngestConfig config = IngestConfig.from(settings);
    settings.warnUnread("ingest.", org.slf4j.LoggerFactory.getLogger(IngestConfig.class));
    IngestService service = new IngestService(config).start();
    ConnectionOptions.runUntilShutdown("ingest-service", service::close);
    return 0;
  }
}
