package dev.spindle.schemas.config;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Option;

/**
 * The options every service command shares (a picocli mixin): the config file, the broker
 * and the registry, with the local stack as the default; and running a service until Ctrl-C.
 */
public final class ConnectionOptions {
  @Option(names = {"-c", "--config"}, description = "Properties file with settings "
      + "(or the SPINDLE_CONFIG variable). SPINDLE_* variables override it.")
  Path configFile;

  @Option(names = "--bootstrap-servers", description = "Kafka bootstrap servers "
      + "(kafka.bootstrap.servers; default 127.0.0.1:9092, the local stack).")
  String bootstrapServers;

  @Option(names = "--registry-url", description = "Schema registry URL (schema.registry.url; "
      + "default http://127.0.0.1:8081/apis/ccompat/v7, the local stack).")
  String registryUrl;

  /** The settings with {@code extra} (null values ignored) and these options on top. */
  public Settings settings(Map<String, String> extra) {
    Map<String, String> overrides = new HashMap<>(extra);
    overrides.put(ClientSettings.BOOTSTRAP_KEY, bootstrapServers);
    overrides.put(ClientSettings.REGISTRY_KEY, registryUrl);
    return Settings.forCommandLine(Optional.ofNullable(configFile), overrides);
  }

  /** A service that can be stopped. */
  @FunctionalInterface
  public interface Stoppable {
    void stop() throws Exception;
  }

  /**
   * The system property a launcher sets on the services it starts: its process id. A service
   * started that way stops (cleanly, as on SIGTERM) when that process is gone, so a launcher
   * killed with {@code kill -9} leaves no orphans behind.
   */
  public static final String PARENT_PID_PROPERTY = "spindle.parent.pid";

  /**
   * Blocks until the JVM is asked to stop (Ctrl-C, SIGTERM) or the process named by
   * {@link #PARENT_PID_PROPERTY} exits, then stops {@code service}.
   */
  public static void runUntilShutdown(String name, Stoppable service) throws InterruptedException {
    CountDownLatch stopped = new CountDownLatch(1);
    Optional.ofNullable(System.getProperty(PARENT_PID_PROPERTY))
        .flatMap(pid -> ProcessHandle.of(Long.parseLong(pid.trim())))
        .ifPresent(parent -> parent.onExit().thenRun(() -> {
          System.err.println(name + ": the process that started it (" + parent.pid()
              + ") is gone; stopping");
          System.exit(0);
        }));
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        service.stop();
      } catch (Exception e) {
        System.err.println(name + " did not stop cleanly: " + e);
      } finally {
        stopped.countDown();
      }
    }, name + "-shutdown"));
    stopped.await();
  }
}
