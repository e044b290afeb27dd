package dev.spindle.ingest.cli;

import dev.spindle.ingest.IngestService;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
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
    IngestService service = new IngestService(connection.config(extra)).start();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      service.close();
      stopped.countDown();
    }, "ingest-shutdown"));
    stopped.await();
    return 0;
  }
}
