package dev.spindle.tests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spindle.ingest.IngestConfig;
import dev.spindle.schemas.config.ClientSettings;
import dev.spindle.schemas.config.Settings;
import dev.spindle.serving.ServingConfig;
import dev.spindle.serving.ServingService;
import dev.spindle.trainer.TrainerConfig;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * docker-compose.yml against the services' own configuration: no machine here runs Docker, so
 * this is what keeps the file true (ports, settings, addresses, the model volume, images).
 */
class ComposeFileTest {
  private static final Map<String, String> SERVICES = Map.of(
      "ingest", "ingest.", "trainer", "trainer.", "serving", "serving.");
  private static ComposeFile compose;

  @BeforeAll
  static void load() throws IOException {
    compose = ComposeFile.load();
  }

  /** Variables the runtime reads rather than Spindle's settings. */
  private static final java.util.Set<String> RUNTIME_VARIABLES = java.util.Set.of("OMP_NUM_THREADS",
      "JAVA_OPTS");

  private static Settings settings(String service) {
    return Settings.load(Optional.empty(), compose.environment(service));
  }

  @Test
  void shouldSetOnlySettingsEachServiceReads() {
    Map<String, Function<Settings, ?>> parsers = Map.of(
        "ingest", IngestConfig::from, "trainer", TrainerConfig::from, "serving", ServingConfig::from);
    parsers.forEach((service, from) -> {
      Settings settings = settings(service);
      from.apply(settings);
      assertThat(settings.unreadKeys("")).as("settings of %s that it never reads", service).isEmpty();
      assertThat(compose.environment(service)).as(service).allSatisfy((name, value) ->
          assertThat(name).matches(n -> n.startsWith(Settings.ENV_PREFIX)
              || RUNTIME_VARIABLES.contains(n), "a SPINDLE_ setting or " + RUNTIME_VARIABLES));
    });
  }

  @Test
  void shouldPublishAndProbeThePortEachServiceListensOn() {
    Map<String, Integer> ports = Map.of(
        "ingest", IngestConfig.from(settings("ingest")).httpPort(),
        "trainer", TrainerConfig.from(settings("trainer")).httpPort(),
        "serving", ServingConfig.from(settings("serving")).httpPort());
    ports.forEach((service, port) -> {
      assertThat(compose.containerPorts(service)).as(service).contains(port);
      assertThat(compose.healthcheck(service)).as(service)
          .contains("http://localhost:" + port + "/healthz");
    });
  }

  @Test
  void shouldPointEveryServiceAtTheBrokerAndRegistryOfTheFile() {
    Map<String, String> kafka = stringMap(compose.service("kafka"), "environment");
    assertThat(kafka.get("KAFKA_PROCESS_ROLES")).contains("broker").contains("controller");
    String advertised = kafka.get("KAFKA_ADVERTISED_LISTENERS").replaceAll(".*://", "");
    for (String service : SERVICES.keySet()) {
      ClientSettings clients = ClientSettings.from(settings(service));
      assertThat(clients.bootstrapServers()).as(service).isEqualTo(advertised);
      URI registry = URI.create(clients.registryUrl());
      assertThat(registry.getHost()).as(service).isEqualTo("registry");
      assertThat(registry.getPort()).as("Apicurio listens on 8080 in its container").isEqualTo(8080);
      assertThat(registry.getPath()).isEqualTo("/apis/ccompat/v7");
    }
    compose.service("registry");
  }

  @Test
  void shouldLetTheBrokerHoldTheTopicsIngestCreates() {
    IngestConfig ingest = IngestConfig.from(settings("ingest"));
    Map<String, String> kafka = stringMap(compose.service("kafka"), "environment");
    long brokers = kafka.get("KAFKA_CONTROLLER_QUORUM_VOTERS").split(",").length;
    assertThat((long) ingest.replicationFactor()).isLessThanOrEqualTo(brokers);
    assertThat(kafka.get("KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR"))
        .as("exactly-once streams need the transaction log").isEqualTo(String.valueOf(brokers));
    assertThat(kafka.get("KAFKA_AUTO_CREATE_TOPICS_ENABLE"))
        .as("topics come from ingest's provisioner, with their partitions").isEqualTo("false");
  }

  @Test
  void shouldShareTheModelStoreBetweenTrainerAndServingAtOnePath() {
    // a models event carries the artifact's file URI: serving must see it at the same path
    Path store = TrainerConfig.from(settings("trainer")).modelStore();
    Map<String, String> trainer = compose.volumeMounts("trainer");
    Map<String, String> serving = compose.volumeMounts("serving");
    String volume = trainer.entrySet().stream().filter(e -> Path.of(e.getValue()).equals(store))
        .map(Map.Entry::getKey).findFirst()
        .orElseThrow(() -> new AssertionError("no volume mounted at the trainer's store " + store));
    assertThat(serving).containsEntry(volume, store.toString());
    assertThat(ComposeFile.map(compose.root(), "volumes")).containsKey(volume);
  }

  @Test
  void shouldBuildEachServiceFromAMultiStageDockerfileAndAMainThatExists() throws Exception {
    String rootPom = Files.readString(compose.dir().resolve("pom.xml"));
    for (String service : SERVICES.keySet()) {
      Map<String, Object> build = compose.build(service);
      Path dockerfile = compose.dir().resolve(String.valueOf(build.get("dockerfile")));
      List<String> stages = Files.readAllLines(dockerfile).stream()
          .filter(l -> l.startsWith("FROM ")).toList();
      assertThat(stages).as(dockerfile.toString()).hasSizeGreaterThanOrEqualTo(2);
      Map<String, String> args = stringMap(build, "args");
      assertThat(rootPom).contains("<module>" + args.get("MODULE") + "</module>");
      assertThat(Class.forName(args.get("MAIN")).getMethod("main", String[].class)).isNotNull();
    }
  }

  private static Map<String, String> stringMap(Map<String, Object> parent, String key) {
    Map<String, String> out = new java.util.LinkedHashMap<>();
    ComposeFile.map(parent, key).forEach((k, v) -> out.put(k, String.valueOf(v)));
    return out;
  }

  @Test
  void shouldStartServingWithTheSamePriorityFlagsAsBinSpindleAndTheDemo() throws IOException {
    assertThat(compose.environment("serving")).containsEntry("JAVA_OPTS",
        ServingService.LINUX_JVM_FLAGS);
    // bin/spindle sets them on Linux: SERVING_JVM=(-XX:... -XX:...), over two lines
    var linux = java.util.regex.Pattern.compile("SERVING_JVM=\\((-[^)]*)\\)")
        .matcher(Files.readString(compose.dir().resolve("bin/spindle")));
    assertThat(linux.find()).as("bin/spindle sets SERVING_JVM").isTrue();
    assertThat(linux.group(1).trim().replaceAll("\\s+", " "))
        .isEqualTo(ServingService.LINUX_JVM_FLAGS);
  }
}
