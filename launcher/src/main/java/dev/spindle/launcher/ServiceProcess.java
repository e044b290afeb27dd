package dev.spindle.launcher;

import dev.spindle.schemas.config.ConnectionOptions;
import dev.spindle.schemas.config.Settings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One Spindle service in its own JVM, as it would run in production: configured only through
 * {@code SPINDLE_*} environment variables, its output in a log file, stopped with SIGTERM
 * (which runs the service's own clean shutdown). The child watches this process and stops
 * itself if the launcher dies without closing it.
 */
final class ServiceProcess implements AutoCloseable {
  private static final Duration STOP_GRACE = Duration.ofSeconds(30);
  private final String name;
  private final Process process;
  private final Path logFile;
  private final URI base;

  private ServiceProcess(String name, Process process, Path logFile, URI base) {
    this.name = name;
    this.process = process;
    this.logFile = logFile;
    this.base = base;
  }

  /**
   * Starts {@code mainClass} with this JVM's class path, {@code settings} as {@code SPINDLE_*}
   * environment variables and {@code runtimeEnv} (e.g. {@code OMP_NUM_THREADS}) as given; it
   * listens for HTTP on {@code port}.
   */
  static ServiceProcess start(String name, String mainClass, List<String> args,
      Map<String, String> settings, Map<String, String> runtimeEnv, int port, Path logDir)
      throws IOException {
    Files.createDirectories(logDir);
    Path logFile = logDir.resolve(name + ".log");
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-D" + ConnectionOptions.PARENT_PID_PROPERTY + "=" + ProcessHandle.current().pid());
    String logback = System.getProperty("logback.configurationFile");
    if (logback != null) {
      command.add("-Dlogback.configurationFile=" + logback);
    }
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(mainClass);
    command.addAll(args);
    ProcessBuilder builder = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.to(logFile.toFile()));
    builder.environment().keySet().removeIf(k -> k.startsWith(Settings.ENV_PREFIX));
    settings.forEach((key, value) -> builder.environment().put(Settings.envName(key), value));
    builder.environment().putAll(runtimeEnv);
    return new ServiceProcess(name, builder.start(), logFile,
        URI.create("http://127.0.0.1:" + port));
  }

  /** A TCP port nothing listens on right now, for a child to bind. */
  static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Waits until the service answers HTTP (any status: serving says 503 until it has a model). */
  void awaitResponding(HttpClient http, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      if (!process.isAlive()) {
        throw new IllegalStateException(name + " exited with status " + process.exitValue()
            + " while starting; see " + logFile);
      }
      try {
        http.send(HttpRequest.newBuilder(base.resolve("/healthz"))
            .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
        return;
      } catch (IOException notYet) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(name + " did not answer on " + base + " within "
              + timeout + "; see " + logFile);
        }
        TimeUnit.MILLISECONDS.sleep(250);
      }
    }
  }

  String name() {
    return name;
  }

  URI base() {
    return base;
  }

  Path logFile() {
    return logFile;
  }

  boolean isAlive() {
    return process.isAlive();
  }

  long pid() {
    return process.pid();
  }

  /** SIGKILL, as {@code kill -9}: no shutdown of its own (fault tests). */
  void kill() throws InterruptedException {
    process.destroyForcibly().waitFor();
  }

  /** SIGTERM, then up to {@link #STOP_GRACE} for the service's own shutdown, then SIGKILL. */
  @Override
  public void close() throws InterruptedException {
    if (!process.isAlive()) {
      return;
    }
    process.destroy();
    if (!process.waitFor(STOP_GRACE.toSeconds(), TimeUnit.SECONDS)) {
      Console.step(name + " did not stop within " + STOP_GRACE + "; killing it");
      process.destroyForcibly().waitFor();
    }
  }
}
