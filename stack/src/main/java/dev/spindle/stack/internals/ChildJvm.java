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
 * passes, stopped with SIGTERM and, after a grace period, SIGKILL. A stop does not wait for a
 * start's readiness check: a JVM told to exit while its stack starts stops the children it has
 * spawned (the start then fails, as the child exited before it was ready).
 */
final class ChildJvm {
  private static final Logger log = LoggerFactory.getLogger(ChildJvm.class);
  private static final Duration STOP_GRACE = Duration.ofSeconds(20);
  private static final long POLL_MS = 100;

  private final String name;
  private final Path logFile;
  /** Guards spawning and reading {@link #process}; never held while waiting on the child. */
  private final Object lifecycle = new Object();
  private final boolean parentWatch;
  private Process process;

  ChildJvm(String name, Path logFile) {
    this(name, logFile, false);
  }

  /**
   * With {@code parentWatch}, a {@link ParentWatch} stops the child when this JVM is gone, for
   * a child that does not watch its parent itself.
   */
  ChildJvm(String name, Path logFile, boolean parentWatch) {
    this.name = name;
    this.logFile = logFile;
    this.parentWatch = parentWatch;
  }

  /** Starts {@code java <jvmArgs>} and blocks until {@code ready} is true or the timeout. */
  void start(List<String> jvmArgs, Duration timeout, BooleanSupplier ready) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmArgs);
    Process started;
    synchronized (lifecycle) {
      try {
        Files.createDirectories(logFile.getParent());
        started = new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
            .start();
      } catch (IOException e) {
        throw new StackException("could not start the " + name + " JVM: " + e.getMessage(), e);
      }
      process = started;
      if (parentWatch) {
        ParentWatch.stopWithThisJvm(started, name);
      }
    }
    awaitReady(started, timeout, ready);
    log.debug("{} ready (pid {})", name, started.pid());
  }

  private void awaitReady(Process process, Duration timeout, BooleanSupplier ready) {
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

  void stop() {
    Process process;
    synchronized (lifecycle) {
      process = this.process;
    }
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
