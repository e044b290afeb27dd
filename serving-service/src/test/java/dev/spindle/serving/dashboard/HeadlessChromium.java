package dev.spindle.serving.dashboard;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** Debian's chromium, headless, driven as a process: the DOM after scripts ran, a screenshot. */
final class HeadlessChromium {
  private final Path binary;
  private final Path profile;

  private HeadlessChromium(Path binary, Path profile) {
    this.binary = binary;
    this.profile = profile;
  }

  /** The browser, when one is installed (CI installs Debian's chromium). */
  static Optional<HeadlessChromium> find(Path profile) {
    return List.of("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
        .stream().map(Path::of).filter(Files::isExecutable).findFirst()
        .map(binary -> new HeadlessChromium(binary, profile));
  }

  /** The page's DOM once its scripts had {@code budgetMs} of (virtual) time. */
  String dom(String url, int budgetMs) throws IOException, InterruptedException {
    return run(List.of("--dump-dom", url), budgetMs);
  }

  void screenshot(String url, Path png, int budgetMs) throws IOException, InterruptedException {
    run(List.of("--screenshot=" + png, "--window-size=1280,1400", "--hide-scrollbars", url), budgetMs);
  }

  private String run(List<String> args, int budgetMs) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(binary.toString(), "--headless=new",
        "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
        "--user-data-dir=" + profile, "--virtual-time-budget=" + budgetMs));
    command.addAll(args);
    Path log = Files.createTempFile(profile, "chromium", ".log");
    Process process = new ProcessBuilder(command).redirectError(log.toFile()).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IOException("chromium did not finish in 60 s: " + Files.readString(log));
    }
    if (process.exitValue() != 0) {
      throw new IOException("chromium failed (" + process.exitValue() + "): " + Files.readString(log));
    }
    return out;
  }
}
