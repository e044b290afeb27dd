package dev.spindle.stack;

import dev.spindle.stack.internals.KafkaBrokerProcess;
import dev.spindle.stack.internals.RegistryProcess;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node KRaft Kafka broker and a real Apicurio schema registry, each in its own
 * child JVM on loopback. Both start in parallel; {@link #start} returns when both answer.
 * Closing stops both (also done by a shutdown hook if the caller forgets, registered before
 * the children start, so a JVM stopped while they start up leaves neither running).
 */
public final class LocalStack implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LocalStack.class);

  private final StackConfig config;
  private final KafkaBrokerProcess broker;
  private final RegistryProcess registry;
  private final Thread shutdownHook;

  private LocalStack(StackConfig config, KafkaBrokerProcess broker, RegistryProcess registry,
      Thread shutdownHook) {
    this.config = config;
    this.broker = broker;
    this.registry = registry;
    this.shutdownHook = shutdownHook;
  }

  /** Starts both processes and waits until they are ready. */
  public static LocalStack start(StackConfig config) {
    long started = System.nanoTime();
    KafkaBrokerProcess broker = new KafkaBrokerProcess(config);
    RegistryProcess registry = new RegistryProcess(config);
    // before the children exist: Ctrl-C or SIGTERM during the registry's ~10 s start-up must
    // stop what has been spawned (after a kill -9, no hook runs: the broker exits with its
    // parent and the registry has a watchdog)
    Thread shutdownHook = new Thread(() -> stopBoth(broker, registry), "spindle-stack-shutdown");
    Runtime.getRuntime().addShutdownHook(shutdownHook);
    try {
      CompletableFuture.allOf(
          CompletableFuture.runAsync(broker::start),
          CompletableFuture.runAsync(registry::start)).join();
    } catch (CompletionException e) {
      stopBoth(broker, registry);
      removeShutdownHook(shutdownHook);
      throw new StackException("local stack failed to start: " + e.getCause().getMessage(),
          e.getCause());
    }
    LocalStack stack = new LocalStack(config, broker, registry, shutdownHook);
    log.info("local stack ready in {} ms: kafka {} registry {}",
        (System.nanoTime() - started) / 1_000_000, stack.bootstrapServers(), stack.registryUrl());
    return stack;
  }

  /** {@code bootstrap.servers} for clients. */
  public String bootstrapServers() {
    return broker.bootstrapServers();
  }

  /** {@code schema.registry.url}: the registry's Confluent-compatible API. */
  public String registryUrl() {
    return registry.confluentApiUrl();
  }

  public StackConfig config() {
    return config;
  }

  /**
   * Drops the JVM shutdown hook that stops the stack on exit: the caller stops it with
   * {@link #close()}, from its own hook, after whatever uses the broker (JVM hooks run all at
   * once, so the stack's own hook would pull the broker from under services still stopping).
   */
  public LocalStack closedByCaller() {
    removeShutdownHook(shutdownHook);
    return this;
  }

  /** Stops the broker (SIGTERM, so it shuts down cleanly) and starts it again on the same port. */
  public void restartBroker() {
    stopBroker();
    startBroker();
  }

  /** Stops the broker only (SIGTERM); the registry stays up. For fault tests. */
  public void stopBroker() {
    broker.stop();
  }

  /** Starts the broker stopped by {@link #stopBroker()}, on the same port and data. */
  public void startBroker() {
    broker.start();
  }

  @Override
  public void close() {
    stopBoth(broker, registry);
    removeShutdownHook(shutdownHook);
  }

  private static void removeShutdownHook(Thread hook) {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException alreadyShuttingDown) {
      // the hook is running or ran: nothing to remove
    }
  }

  private static void stopBoth(KafkaBrokerProcess broker, RegistryProcess registry) {
    broker.stop();
    registry.stop();
  }
}
