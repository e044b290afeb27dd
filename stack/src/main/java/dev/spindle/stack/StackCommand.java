package dev.spindle.stack;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code spindle-stack}: runs the local broker and registry until Ctrl-C. */
@Command(name = "spindle-stack", mixinStandardHelpOptions = true,
    description = "Starts a real single-node KRaft Kafka broker and a real Apicurio schema "
        + "registry on 127.0.0.1, prints their addresses, and runs until Ctrl-C. Data persists "
        + "in --data-dir.")
public final class StackCommand implements Callable<Integer> {

  @Option(names = "--data-dir", defaultValue = "${env:SPINDLE_STACK_DIR:-.spindle/stack}",
      description = "Broker data, registry database and logs (default: ${DEFAULT-VALUE}).")
  private Path dataDir;

  @Option(names = "--kafka-port", defaultValue = "9092", description = "Broker port.")
  private int kafkaPort;

  @Option(names = "--controller-port", defaultValue = "9093", description = "KRaft port.")
  private int controllerPort;

  @Option(names = "--registry-port", defaultValue = "8081", description = "Registry port.")
  private int registryPort;

  @Override
  public Integer call() throws InterruptedException {
    StackConfig config = new StackConfig(dataDir.toAbsolutePath(), kafkaPort, controllerPort,
        registryPort, StackConfig.defaults(dataDir).startTimeout());
    System.out.printf("Starting the local stack in %s ...%n", config.dataDir());
    LocalStack stack = LocalStack.start(config);
    System.out.printf("kafka:    bootstrap.servers=%s%n", stack.bootstrapServers());
    System.out.printf("registry: schema.registry.url=%s%n", stack.registryUrl());
    System.out.printf("logs:     %s%n", config.dataDir().resolve("logs"));
    System.out.println("Ctrl-C stops both.");
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      stack.close();
      stopped.countDown();
    }, "spindle-stack-stop"));
    stopped.await();
    return 0;
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new StackCommand()).execute(args));
  }
}
