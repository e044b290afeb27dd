package dev.spindle.stack;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Where and how the local stack runs.
 *
 * @param dataDir broker log dirs and the processes' logs live here
 * @param kafkaPort the broker's client port on 127.0.0.1
 * @param controllerPort the KRaft controller's port on 127.0.0.1
 * @param registryPort the schema registry's HTTP port on 127.0.0.1
 * @param startTimeout how long each process may take to become ready
 */
public record StackConfig(
    Path dataDir, int kafkaPort, int controllerPort, int registryPort, Duration startTimeout) {

  public static final int DEFAULT_KAFKA_PORT = 9092;
  public static final int DEFAULT_CONTROLLER_PORT = 9093;
  public static final int DEFAULT_REGISTRY_PORT = 8081;

  /** The developer's persistent stack on the well-known ports. */
  public static StackConfig defaults(Path dataDir) {
    return new StackConfig(dataDir, DEFAULT_KAFKA_PORT, DEFAULT_CONTROLLER_PORT,
        DEFAULT_REGISTRY_PORT, Duration.ofSeconds(60));
  }

  /** A throw-away stack on free ports, for tests. */
  public static StackConfig ephemeral(Path dataDir) {
    int[] ports = FreePorts.pick(3);
    return new StackConfig(dataDir, ports[0], ports[1], ports[2], Duration.ofSeconds(60));
  }
}
