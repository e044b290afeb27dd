package dev.spindle.bench.speed;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Runs the PyTorch peer ({@code rotnet_fmnist.py --throughput}) as a child process, with the
 * stock BLAS or with OpenBLAS on {@code LD_LIBRARY_PATH}, and reads its JSON line plus its peak
 * resident memory (the peer runs under a small wrapper that prints its VmHWM at exit; not
 * {@code ru_maxrss}, which Linux carries over from the forking JVM across exec).
 */
final class PeerRunner {
  static final String OPENBLAS_PACKAGE = "libopenblas0-pthread";
  private static final String WRAPPER = String.join("\n",
      "import runpy, sys",
      "sys.argv = sys.argv[1:]",
      "try:",
      "    runpy.run_path(sys.argv[0], run_name='__main__')",
      "finally:",
      "    hwm = [l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM:')]",
      "    print('PEAK_RSS_KB', hwm[0] if hwm else 'nan', file=sys.stderr)");

  private final Path python;
  private final Path script;
  private final int warmup;
  private final int steps;

  PeerRunner(Path python, Path script, int warmup, int steps) {
    this.python = python;
    this.script = script;
    this.warmup = warmup;
    this.steps = steps;
  }

  /** Why the peer cannot run here, or empty when it can. */
  Optional<String> unavailable() {
    if (!Files.isExecutable(python)) {
      return Optional.of(python + " not found (apt-get install -y python3-torch)");
    }
    if (!Files.isRegularFile(script)) {
      return Optional.of("peer script " + script + " not found (--peer)");
    }
    return Optional.empty();
  }

  /** One throughput run; {@code blasDir} (OpenBLAS) or null for the stock BLAS. */
  Map<String, Object> run(Path blasDir) throws IOException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder(python.toString(), "-c", WRAPPER,
        script.toString(), "--throughput", "--warmup", String.valueOf(warmup),
        "--steps", String.valueOf(steps));
    // the peer runs as a PyTorch user runs it: OpenMP's default wait policy, not the PASSIVE
    // one bin/spindle sets for Spindle
    builder.environment().remove("OMP_WAIT_POLICY");
    if (blasDir != null) {
      builder.environment().put("LD_LIBRARY_PATH", blasDir.toString());
      builder.environment().put("OPENBLAS_NUM_THREADS", "2");
    }
    Path stderr = Files.createTempFile("spindle-peer", ".log");
    builder.redirectError(stderr.toFile());
    Process process = builder.start();
    String stdout = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(10, TimeUnit.MINUTES) || process.exitValue() != 0) {
      process.destroyForcibly();
      throw new IOException("peer failed (exit " + process.exitValue() + "): "
          + Files.readString(stderr));
    }
    String log = Files.readString(stderr);
    Files.delete(stderr);
    String json = stdout.lines().filter(l -> l.startsWith("{")).reduce((a, b) -> b)
        .orElseThrow(() -> new IOException("peer printed no JSON line: " + stdout + log));
    @SuppressWarnings("unchecked")
    Map<String, Object> result = new LinkedHashMap<>(new ObjectMapper().readValue(json, Map.class));
    log.lines().filter(l -> l.startsWith("PEAK_RSS_KB")).findFirst()
        .ifPresent(l -> result.put("peak_rss_mb", Double.parseDouble(l.split(" ")[1].trim()) / 1024.0));
    return result;
  }

  /**
   * The OpenBLAS library folder under {@code home}, unpacking Debian's package there (without
   * installing it system-wide) when it is missing; empty with the reason printed when that fails.
   */
  static Optional<Path> openBlas(Path folder) {
    Path home = folder.toAbsolutePath();
    Path lib = home.resolve("root/usr/lib/x86_64-linux-gnu/openblas-pthread");
    if (Files.isRegularFile(lib.resolve("libblas.so.3"))) {
      return Optional.of(lib);
    }
    try {
      Files.createDirectories(home);
      exec(home, List.of("apt-get", "download", OPENBLAS_PACKAGE));
      try (var debs = Files.list(home)) {
        Path deb = debs.filter(p -> p.getFileName().toString().endsWith(".deb")).findFirst()
            .orElseThrow(() -> new IOException("apt-get download left no .deb in " + home));
        exec(home, List.of("dpkg", "-x", deb.toString(), "root"));
      }
      return Files.isRegularFile(lib.resolve("libblas.so.3")) ? Optional.of(lib) : Optional.empty();
    } catch (IOException | InterruptedException e) {
      System.err.println("OpenBLAS peer skipped: " + e.getMessage());
      return Optional.empty();
    }
  }

  private static void exec(Path dir, List<String> command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IOException(String.join(" ", command) + " failed: " + output.strip());
    }
  }
}
