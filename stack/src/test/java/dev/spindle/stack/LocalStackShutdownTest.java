package dev.spindle.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/spindle stack} stopped while its broker and registry are still starting (SIGTERM:
 * Ctrl-C, a benchmark stopped), or killed with SIGKILL once they run (no shutdown hook: a test
 * JVM killed by its build): either way both children stop with it instead of running on as
 * orphans.
 */
@Tag("integration")
@Timeout(180)
class LocalStackShutdownTest {
  private static final String OUTPUT = "stack.out";
  /** StackCommand prints the registry's address once both children answer. */
  private static final String READY = "schema.registry.url=";

  @Test
  void shouldLeaveNoChildRunningWhenStoppedWhileTheStackStarts(@TempDir Path dir)
      throws Exception {
    // both child JVMs spawned (besides the registry's watchdog shell)
    stopAndAwaitChildrenGone(dir, Duration.ofSeconds(60),
        stack -> stack.descendants().filter(LocalStackShutdownTest::isJava).count() >= 2,
        stack -> {
          assertThat(Files.readString(dir.resolve(OUTPUT))).as("the stack is still starting")
              .doesNotContain(READY);
          stack.destroy();
        });
  }

  @Test
  void shouldLeaveNoChildRunningWhenKilledWithSigkill(@TempDir Path dir) throws Exception {
    stopAndAwaitChildrenGone(dir, Duration.ofSeconds(90),
        stack -> Files.readString(dir.resolve(OUTPUT)).contains(READY),
        Process::destroyForcibly);
  }

  /** Whether the stack's process is where the test stops it. */
  private interface Ready {
    boolean test(Process stack) throws Exception;
  }

  /** How the test stops the stack's process. */
  private interface Stop {
    void stop(Process stack) throws Exception;
  }

  /**
   * Starts the stack, waits until {@code ready}, stops it with {@code stop}, and waits until it
   * and every child it had are gone.
   */
  private static void stopAndAwaitChildrenGone(Path dir, Duration wait,
      Ready ready, Stop stop) throws Exception {
    Process stack = startStack(dir);
    List<ProcessHandle> children = List.of();
    try {
      await().atMost(wait).pollInterval(Duration.ofMillis(50)).until(() -> ready.test(stack));
      children = stack.descendants().toList();

      stop.stop(stack);

      assertThat(stack.waitFor(60, TimeUnit.SECONDS)).isTrue();
      List<ProcessHandle> spawned = children;
      await().atMost(Duration.ofSeconds(30))
          .until(() -> spawned.stream().noneMatch(ProcessHandle::isAlive));
    } finally {
      stack.destroyForcibly();
      children.forEach(ProcessHandle::destroyForcibly);
    }
  }

  private static boolean isJava(ProcessHandle process) {
    return process.info().command().map(command -> command.endsWith("java")).orElse(false);
  }

  private static Process startStack(Path dir) throws Exception {
    int[] ports = FreePorts.pick(3);
    return new ProcessBuilder(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), StackCommand.class.getName(),
        "--data-dir", dir.resolve("data").toString(),
        "--kafka-port", Integer.toString(ports[0]),
        "--controller-port", Integer.toString(ports[1]),
        "--registry-port", Integer.toString(ports[2]))
        .redirectErrorStream(true).redirectOutput(dir.resolve(OUTPUT).toFile()).start();
  }
}
