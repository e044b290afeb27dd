package dev.spindle.stack.internals;

import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.apache.kafka.common.Uuid;

/**
 * Entry point of the broker's child JVM: a combined broker + controller KRaft node on
 * 127.0.0.1, its storage formatted on first start only (when {@code meta.properties} is
 * missing). It exits when its parent process does, so a killed test JVM leaves no broker behind.
 *
 * <p>Arguments: data dir, client port, controller port, parent pid.
 */
public final class BrokerMain {
  private BrokerMain() {
  }

  public static void main(String[] args) throws IOException {
    Path dir = Path.of(args[0]);
    int port = Integer.parseInt(args[1]);
    int controllerPort = Integer.parseInt(args[2]);
    long parentPid = Long.parseLong(args[3]);
    Path logDir = dir.resolve("data");
    Path propertiesFile = dir.resolve("server.properties");
    Files.createDirectories(logDir);
    try (Writer out = Files.newBufferedWriter(propertiesFile)) {
      serverProperties(logDir, port, controllerPort).store(out, "written by spindle BrokerMain");
    }
    if (!Files.exists(logDir.resolve("meta.properties"))) {
      format(propertiesFile);
    }
    exitWithParent(parentPid);
    kafka.Kafka.main(new String[] {propertiesFile.toString()});
  }

  private static Properties serverProperties(Path logDir, int port, int controllerPort) {
    Properties p = new Properties();
    p.setProperty("process.roles", "broker,controller");
    p.setProperty("node.id", "1");
    p.setProperty("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
    p.setProperty("listeners",
        "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
    p.setProperty("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
    p.setProperty("controller.listener.names", "CONTROLLER");
    p.setProperty("inter.broker.listener.name", "PLAINTEXT");
    p.setProperty("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    p.setProperty("log.dirs", logDir.toString());
    // services create their topics explicitly, with the partition counts the contract needs
    p.setProperty("auto.create.topics.enable", "false");
    p.setProperty("num.partitions", "3");
    p.setProperty("offsets.topic.replication.factor", "1");
    p.setProperty("offsets.topic.num.partitions", "5");
    p.setProperty("transaction.state.log.replication.factor", "1");
    p.setProperty("transaction.state.log.min.isr", "1");
    p.setProperty("transaction.state.log.num.partitions", "5");
    // a transaction's first send can meet the markers of the one before still being written;
    // the broker retries it for up to this long (default 100 ms) before answering
    // CONCURRENT_TRANSACTIONS, which the client retries with a WARN line each time
    p.setProperty("add.partitions.to.txn.retry.backoff.max.ms", "1000");
    p.setProperty("share.coordinator.state.topic.replication.factor", "1");
    p.setProperty("share.coordinator.state.topic.min.isr", "1");
    p.setProperty("group.initial.rebalance.delay.ms", "0");
    return p;
  }

  private static void format(Path propertiesFile) {
    int code = kafka.tools.StorageTool$.MODULE$.execute(new String[] {
        "format", "-t", Uuid.randomUuid().toString(), "-c", propertiesFile.toString()},
        System.out);
    if (code != 0) {
      throw new IllegalStateException("formatting the broker storage failed with code " + code);
    }
  }

  private static void exitWithParent(long parentPid) {
    ProcessHandle.of(parentPid).ifPresentOrElse(
        parent -> parent.onExit().thenRun(() -> {
          System.err.println("parent process " + parentPid + " exited; stopping the broker");
          System.exit(0);
        }),
        () -> System.exit(0));
  }
}
