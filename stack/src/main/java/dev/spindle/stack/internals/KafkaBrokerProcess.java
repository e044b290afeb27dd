package dev.spindle.stack.internals;

import dev.spindle.stack.StackConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/** The broker's child JVM: runs {@link BrokerMain} on this JVM's class path. */
public final class KafkaBrokerProcess {
  private final StackConfig config;
  private final ChildJvm jvm;

  public KafkaBrokerProcess(StackConfig config) {
    this.config = config;
    this.jvm = new ChildJvm("kafka broker", config.dataDir().resolve("logs/kafka.log"));
  }

  public void start() {
    Path dir = config.dataDir().resolve("kafka");
    List<String> args = List.of(
        "-Xms256m", "-Xmx1g", "-XX:+UseG1GC",
        "-Dlogback.configurationFile=spindle-child-logback.xml",
        "-Dspindle.log.file=" + jvm.logFile(),
        "-cp", System.getProperty("java.class.path"),
        BrokerMain.class.getName(),
        dir.toString(),
        Integer.toString(config.kafkaPort()),
        Integer.toString(config.controllerPort()),
        Long.toString(ProcessHandle.current().pid()));
    jvm.start(args, config.startTimeout(), this::answers);
  }

  public void stop() {
    jvm.stop();
  }

  private boolean acceptsConnections() {
    try (java.net.Socket socket = new java.net.Socket()) {
      socket.connect(new java.net.InetSocketAddress("127.0.0.1", config.kafkaPort()), 500);
      return true;
    } catch (java.io.IOException notYet) {
      return false;
    }
  }

  public String bootstrapServers() {
    return "127.0.0.1:" + config.kafkaPort();
  }

  private boolean answers() {
    if (!acceptsConnections()) {
      return false; // no admin client yet: it would log a warning per attempt
    }
    try (Admin admin = Admin.create(Map.of(
        AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
        AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 1000,
        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 1000,
        AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 100))) {
      return !admin.describeCluster().nodes().get().isEmpty();
    } catch (Exception notYet) {
      return false;
    }
  }
}
