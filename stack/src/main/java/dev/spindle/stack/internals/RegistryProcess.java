package dev.spindle.stack.internals;

import dev.spindle.stack.StackConfig;
import dev.spindle.stack.StackException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;

/**
 * The real Apicurio registry (unpacked from Maven Central by this module's build) in a child
 * JVM, its Confluent-compatible API at {@code /apis/ccompat/v7}. Schemas are kept in an H2
 * file under the data dir, so they survive restarts as the broker's records do. Global
 * compatibility is set to BACKWARD once it answers.
 */
public final class RegistryProcess {
  static final String RUNNER_ENV = "SPINDLE_APICURIO_RUNNER";
  private static final String CCOMPAT = "/apis/ccompat/v7";

  private final StackConfig config;
  private final ChildJvm jvm;
  private final HttpClient http = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(1)).build();

  public RegistryProcess(StackConfig config) {
    this.config = config;
    // the Quarkus runner cannot watch its parent as the broker's main does: a watchdog does
    this.jvm = new ChildJvm("schema registry", config.dataDir().resolve("logs/registry.log"),
        true);
  }

  public void start() {
    Path runner = runnerJar();
    Path db = config.dataDir().resolve("registry/registry_db").toAbsolutePath();
    List<String> args = List.of(
        "-Xms64m", "-Xmx384m",
        "-Dquarkus.http.host=127.0.0.1",
        "-Dquarkus.http.port=" + config.registryPort(),
        "-Dregistry.datasource.url=jdbc:h2:file:" + db,
        "-Dquarkus.log.level=WARN",
        "-jar", runner.toString());
    jvm.start(args, config.startTimeout(), this::answers);
    put(CCOMPAT + "/config", "{\"compatibility\":\"BACKWARD\"}");
  }

  public void stop() {
    jvm.stop();
  }

  public String confluentApiUrl() {
    return "http://127.0.0.1:" + config.registryPort() + CCOMPAT;
  }

  private boolean answers() {
    try {
      HttpResponse<Void> response = http.send(
          HttpRequest.newBuilder(URI.create(confluentApiUrl() + "/subjects"))
              .timeout(Duration.ofSeconds(2)).build(),
          HttpResponse.BodyHandlers.discarding());
      return response.statusCode() == 200;
    } catch (IOException notYet) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private void put(String path, String body) {
    try {
      HttpResponse<String> response = http.send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + config.registryPort() + path))
              .header("Content-Type", "application/vnd.schemaregistry.v1+json")
              .PUT(HttpRequest.BodyPublishers.ofString(body)).build(),
          HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        throw new StackException("registry refused PUT " + path + ": " + response.body(), null);
      }
    } catch (IOException e) {
      throw new StackException("registry unreachable for PUT " + path, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StackException("interrupted", e);
    }
  }

  /** The runner jar: from SPINDLE_APICURIO_RUNNER, else where this module's build put it. */
  static Path runnerJar() {
    String fromEnv = System.getenv(RUNNER_ENV);
    Path runner = fromEnv != null ? Path.of(fromEnv) : Path.of(buildProperties()
        .getProperty("apicurio.runner"));
    if (!Files.isRegularFile(runner)) {
      throw new StackException("Apicurio runner jar not found at " + runner + "; build the "
          + "stack module (./mvnw -pl stack package) or set " + RUNNER_ENV, null);
    }
    return runner;
  }

  private static Properties buildProperties() {
    Properties p = new Properties();
    try (InputStream in = RegistryProcess.class.getResourceAsStream("/spindle-stack.properties")) {
      if (in == null) {
        throw new StackException("spindle-stack.properties missing from the class path", null);
      }
      p.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return p;
  }
}
