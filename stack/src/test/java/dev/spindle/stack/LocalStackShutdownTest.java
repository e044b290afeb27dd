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
 * {@code bin/spindle stack} stopped with SIGTERM (Ctrl-C, a benchmark killed) while its broker
 * and registry are still starting: both children stop with it instead of running on as orphans.
 */
@Tag("integration")
@Timeout(180)
class LocalStackShutdownTest {

  @Test
  void shouldLeaveNoChildRunningWhenStoppedWhileTheStackStarts(@TempDir Path dir)
      throws Exception {
    int[] ports = FreePorts.pick(3);
    Path output = dir.resolve("stack.out");
    Process stack = new ProcessBuilder(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), StackCommand.class.getName(),
        "--data-dir", dir.resolve("data").toString(),
        "--kafka-port", Integer.toString(ports[0]),
        "--controller-port", Integer.toString(ports[1]),
        "--registry-port", Integer.toString(ports[2]))
        .redirectErrorStream(true).redirectOutput(output.toFile()).start();
    List<ProcessHandle> children = List.of();
    try {
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
          .until(() -> stack.descendants().count() >= 2);
      children = stack.descendants().toList();
      assertThat(Files.readString(output)).as("the stack is still starting")
          .doesNotContain("schema.registry.url=");

      stack.destroy();

      assertThat(stack.waitFor(60, TimeUnit.SECONDS)).isTrue();
      List<ProcessHandle> spawned = children;
      await().atMost(Duration.ofSeconds(30))
          .until(() -> spawned.stream().noneMatch(ProcessHandle::isAlive));
    } finally {
      stack.destroyForcibly();
      children.forEach(ProcessHandle::destroyForcibly);
    }
  }
}
