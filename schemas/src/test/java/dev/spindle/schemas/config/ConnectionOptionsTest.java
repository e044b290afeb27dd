package dev.spindle.schemas.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class ConnectionOptionsTest {
  /** A service's main as the three services have it: run until asked to stop. */
  public static final class TinyService {
    public static void main(String[] args) throws InterruptedException {
      System.out.println("running");
      System.out.flush();
      ConnectionOptions.runUntilShutdown("tiny-service", () -> System.out.println("stopped cleanly"));
    }
  }

  @Test
  @Timeout(60)
  void shouldStopCleanlyWhenTheProcessThatStartedItIsKilled() throws Exception {
    Process launcher = new ProcessBuilder("sleep", "120").start();
    Process service = new ProcessBuilder(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-D" + ConnectionOptions.PARENT_PID_PROPERTY + "=" + launcher.pid(),
        "-cp", System.getProperty("java.class.path"), TinyService.class.getName())
        .redirectErrorStream(true).start();
    try (BufferedReader out = new BufferedReader(
        new InputStreamReader(service.getInputStream(), StandardCharsets.UTF_8))) {
      assertThat(out.readLine()).isEqualTo("running");

      launcher.destroyForcibly(); // kill -9: the launcher gets no chance to stop its services

      assertThat(service.waitFor(30, TimeUnit.SECONDS)).as("the service exited").isTrue();
      assertThat(service.exitValue()).isZero();
      assertThat(out.lines()).anyMatch(line -> line.equals("stopped cleanly"));
    } finally {
      service.destroyForcibly();
    }
  }
}
