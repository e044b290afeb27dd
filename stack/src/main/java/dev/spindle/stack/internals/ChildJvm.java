package dev.spindle.stack.internals;

import dev.spindle.stack.StackException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One child JVM: started with its output going to a log file, waited on until a readiness check
 * passes, stopped with SIGTERM and, after a grace period, SIGKILL.
 */
final class ChildJvm {
  private static final Logger log = LoggerFactory.getLogger(ChildJvm.class);
  private static final Duration STOP_GRACE = Duration.ofSeconds(20);
  private static final long POLL_MS = 100;

  private final String name;
  private final Path logFile;
  private Process process;

  ChildJvm(String name, Path logFile) {
    this.name = name;
    this.logFile = logFile;
  }

  /** Starts {@code java <jvmArgs>} and blocks until {@code ready} is true or the timeout. */
  synchronized void start(List<String> jvmArgs, Duration timeout, BooleanSupplier ready) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmArgs);
    try {
      Files.createDirectories(logFile.getParent());
      process = new ProcessBuilder(command)
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
          .start();
    } catch (IOException e) {
      throw new StackException("could not start the " + name + " JVM: " + e.getMessage(), e);
    }
    awaitReady(timeout, ready);
    log.debug("{} ready (pid {})", name, process.pid());
  }

  private void awaitReady(Duration timeout, BooleanSupplier ready) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!ready.getAsBoolean()) {
      if (!process.isAlive()) {
        throw new StackException(name + " exited with code " + process.exitValue()
            + " before it was ready; see " + logFile, null);
      }
      if (System.nanoTime() > deadline) {
        stop();
        throw new StackException(name + " not ready within " + timeout + "; see " + logFile, null);
      }
      pause();
    }
  }

  private static void pause() {
    try {
      TimeUnit.MILLISECONDS.sleep(POLL_MS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StackException("interrupted while waiting for the stack", e);
    }
  }

  synchronized void stop() {
    if (process == null || !process.isAlive()) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
        log.warn("{} did not stop within {}; killing it", name, STOP_GRACE);
        process.destroyForcibly().waitFor();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  Path logFile() {
    return logFile;
  }
}
