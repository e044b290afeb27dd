package dev.spindle.launcher;

import dev.spindle.schemas.config.ClientSettings;
import dev.spindle.serving.ServingService;
import dev.spindle.stack.LocalStack;
import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * ingest-, trainer- and serving-service, each in its own process, configured as a deployment
 * would configure them (only {@code SPINDLE_*} environment variables) against the demo's stack,
 * with their state, model store and logs in the run directory.
 */
record DemoServices(ServiceProcess ingest, ServiceProcess trainer, ServiceProcess serving,
    Path modelDir, Path logDir) {
  private static final String MODEL_NAME = "fashion-mnist";
  private static final Duration START_TIMEOUT = Duration.ofMinutes(3);

  /**
   * Starts the three services; {@code overrides} (setting keys, e.g. from {@code demo --set})
   * go to every service on top of the demo's own settings, the stack's addresses excepted.
   */
  static DemoServices start(LocalStack stack, Path dir, int pretrainSteps, int transferEveryLabels,
      int propagationPool, Map<String, String> overrides, Closer closer) throws IOException {
    Path logDir = dir.resolve("logs");
    Path modelStore = dir.resolve("models");
    int ingestPort = ServiceProcess.freePort();
    int trainerPort = ServiceProcess.freePort();
    int servingPort = ServiceProcess.freePort();
    ServiceProcess ingest = closer.add(ServiceProcess.start("ingest",
        "dev.spindle.ingest.cli.IngestCommand", List.of("serve"), settings(stack, Map.of(
            "ingest.http.host", "127.0.0.1",
            "ingest.http.port", Integer.toString(ingestPort),
            "ingest.state.dir", dir.resolve("ingest-state").toString()), overrides), Map.of(),
        ingestPort, logDir));
    ServiceProcess trainer = closer.add(ServiceProcess.start("trainer",
        "dev.spindle.trainer.cli.TrainerCommand", List.of(), settings(stack, Map.of(
            "trainer.http.host", "127.0.0.1",
            "trainer.http.port", Integer.toString(trainerPort),
            "trainer.checkpoint.dir", dir.resolve("trainer-checkpoints").toString(),
            "trainer.model.store", modelStore.toString(),
            // the closing report scores every served version on the test set
            "trainer.model.store.keep", "0",
            "trainer.model.name", MODEL_NAME,
            "trainer.transfer.min.steps", Integer.toString(pretrainSteps),
            "trainer.transfer.every.labels", Integer.toString(transferEveryLabels),
            "trainer.propagation.pool", Integer.toString(propagationPool)), overrides),
        Map.of(), trainerPort, logDir));
    ServiceProcess serving = closer.add(ServiceProcess.start("serving",
        "dev.spindle.serving.cli.ServingCommand", List.of(), settings(stack, Map.of(
            "serving.http.host", "127.0.0.1",
            "serving.http.port", Integer.toString(servingPort),
            "serving.model.name", MODEL_NAME,
            "serving.state.dir", dir.resolve("serving-state").toString(),
            "serving.label.requests.window.seconds", "10"), overrides),
        // many small inferences side by side: one OpenMP thread each; background work (judging a
        // model, the JIT) at a lower OS priority than requests (README, serving; Linux nice)
        System.getProperty("os.name").startsWith("Linux")
            ? Map.of("OMP_NUM_THREADS", "1",
                "JDK_JAVA_OPTIONS", ServingService.LINUX_JVM_FLAGS)
            : Map.of("OMP_NUM_THREADS", "1"),
        servingPort, logDir));
    return new DemoServices(ingest, trainer, serving, modelStore.resolve(MODEL_NAME), logDir);
  }

  private static Map<String, String> settings(LocalStack stack, Map<String, String> own,
      Map<String, String> overrides) {
    Map<String, String> all = new HashMap<>(own);
    all.putAll(overrides);
    all.put(ClientSettings.BOOTSTRAP_KEY, stack.bootstrapServers());
    all.put(ClientSettings.REGISTRY_KEY, stack.registryUrl());
    return all;
  }

  List<ServiceProcess> all() {
    return List.of(ingest, trainer, serving);
  }

  void awaitResponding(HttpClient http) throws InterruptedException {
    for (ServiceProcess service : all()) {
      service.awaitResponding(http, START_TIMEOUT);
    }
  }

  /** Stops the three (SIGTERM; each shuts down cleanly), serving first. */
  void stop() throws InterruptedException {
    for (ServiceProcess service : List.of(serving, trainer, ingest)) {
      service.close();
    }
  }

  /** Fails with the log to read when a service exited on its own. */
  void checkAlive() {
    for (ServiceProcess service : all()) {
      if (!service.isAlive()) {
        throw new IllegalStateException(service.name() + " exited unexpectedly; see "
            + service.logFile());
      }
    }
  }
}
