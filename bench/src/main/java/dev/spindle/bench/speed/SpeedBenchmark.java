package dev.spindle.bench.speed;

import dev.spindle.bench.BenchReport;
import dev.spindle.bench.ssl.FmnistData;
import dev.spindle.model.runtime.Dl4jRuntime;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Issue 6's side-by-side: Spindle's training and inference steps against the PyTorch peer
 * (stock BLAS and OpenBLAS) on the same network, batch shapes, threads and machine, in one run,
 * repeated in rounds that alternate the engines so background noise hits all of them. Writes
 * results/speed-benchmark.{md,json}.
 */
@Command(name = "speed-benchmark", mixinStandardHelpOptions = true,
    description = "Times Spindle's pretraining, training, head-training and inference steps "
        + "and the PyTorch peer's (--throughput) side by side; writes "
        + "results/speed-benchmark.{md,json}.")
public final class SpeedBenchmark implements Callable<Integer> {
  @Option(names = "--rounds", defaultValue = "3",
      description = "Rounds of Spindle, peer stock, peer OpenBLAS (default: ${DEFAULT-VALUE}).")
  int rounds;

  @Option(names = "--warmup", defaultValue = "5", description = "Untimed steps (default: ${DEFAULT-VALUE}).")
  int warmup;

  @Option(names = "--batch1-warmup", defaultValue = "1000", description = "Untimed batch-1 "
      + "inferences before Spindle's timed ones: the JVM compiles DL4J's per-layer Java after a "
      + "few hundred calls (before that a call takes ~2x as long), and a server is past that "
      + "within seconds. The peer, without a JIT, keeps --warmup (default: ${DEFAULT-VALUE}).")
  int batch1Warmup;

  @Option(names = "--jit-warmup", defaultValue = "100", description = "Untimed training steps "
      + "Spindle runs once before the first round (full training and stage 1 each, a quarter as "
      + "many rotation steps): the JVM compiles DL4J's and the layers' Java over the first "
      + "hundred or so steps, and a trainer runs for hours. The peer, without a JIT, gets none "
      + "(default: ${DEFAULT-VALUE}).")
  int jitWarmup;

  @Option(names = "--steps", defaultValue = "30",
      description = "Timed steps; batch-1 inference uses max(steps, 200) (default: ${DEFAULT-VALUE}).")
  int steps;

  @Option(names = "--peer", defaultValue = "../shared/bench/peer/rotnet_fmnist.py",
      description = "The PyTorch peer script (default: ${DEFAULT-VALUE}).")
  Path peer;

  @Option(names = "--python", defaultValue = "/usr/bin/python3",
      description = "Interpreter with python3-torch (default: ${DEFAULT-VALUE}).")
  Path python;

  @Option(names = "--openblas-home", defaultValue = ".spindle/peer-openblas",
      description = "Where Debian's OpenBLAS is unpacked for the peer (default: ${DEFAULT-VALUE}).")
  Path openBlasHome;

  @Option(names = "--profile", description = "Also profile Spindle's steps with Java Flight "
      + "Recorder, by phase and layer (writes results/speed-profile.md).")
  boolean profile;

  @Option(names = "--no-peer", description = "Time Spindle only.")
  boolean noPeer;

  @Option(names = "--out", defaultValue = "results", description = "Results folder (default: ${DEFAULT-VALUE}).")
  Path out;

  public static void main(String[] args) {
    System.exit(new CommandLine(new SpeedBenchmark()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    Dl4jRuntime.init();
    System.out.printf("loading Fashion-MNIST ...%n");
    SpindleSteps spindle = new SpindleSteps(FmnistData.load(), 1);
    StepTimer timer = new StepTimer(warmup, steps);
    StepTimer singleImageTimer = new StepTimer(Math.max(warmup, batch1Warmup), Math.max(steps, 200));
    PeerRunner runner = new PeerRunner(python, peer, warmup, steps);
    Optional<String> peerProblem = noPeer ? Optional.of("--no-peer") : runner.unavailable();
    peerProblem.ifPresent(why -> System.out.println("PyTorch peer skipped: " + why));
    Optional<Path> openBlas = peerProblem.isEmpty() ? PeerRunner.openBlas(openBlasHome) : Optional.empty();

    if (profile) {
      System.out.println("profiling Spindle's training steps layer by layer ...");
      String md = "# Where Spindle's steps spend their time\n\nJava Flight Recorder samples (10 ms) "
          + "of the thread running the step, on the real code path (trainer's pretraining step, "
          + "fit on a batch, the serving model), after " + warmup + " warm-up steps.\n\n" + spindle.profile(warmup, steps);
      Files.createDirectories(out);
      Files.writeString(out.resolve("speed-profile.md"), md);
      System.out.println(md);
    }
    if (jitWarmup > 0) {
      System.out.printf("warming up Spindle's JVM: %d untimed training steps of each kind ...%n",
          jitWarmup);
      spindle.warmUp(jitWarmup);
    }
    Map<String, List<Map<String, Object>>> runs = new LinkedHashMap<>();
    for (int round = 1; round <= rounds; round++) {
      System.out.printf("round %d/%d: Spindle (DL4J %s) ...%n", round, rounds, Dl4jRuntime.backend());
      runs.computeIfAbsent(Engine.SPINDLE, k -> new ArrayList<>())
          .add(Figures.ofSpindle(spindle.measure(timer, singleImageTimer)));
      if (peerProblem.isEmpty()) {
        System.out.printf("round %d/%d: PyTorch peer, stock BLAS ...%n", round, rounds);
        runs.computeIfAbsent(Engine.STOCK, k -> new ArrayList<>()).add(runner.run(null));
        if (openBlas.isPresent()) {
          System.out.printf("round %d/%d: PyTorch peer, OpenBLAS ...%n", round, rounds);
          runs.computeIfAbsent(Engine.OPENBLAS, k -> new ArrayList<>()).add(runner.run(openBlas.get()));
        }
      }
    }
    Map<String, Object> results = new LinkedHashMap<>();
    results.put("protocol", "FMNIST-SSL-v1 throughput");
    results.put("rounds", rounds);
    results.put("warmup_steps", warmup);
    results.put("spindle_batch1_warmup_calls", singleImageTimer.warmup());
    results.put("spindle_jit_warmup_steps", jitWarmup);
    results.put("timed_steps", steps);
    results.put("backend", Dl4jRuntime.backend());
    double peakRss = peakRssMb();
    results.put("spindle_peak_rss_mb", peakRss);
    results.put("runs", runs);
    String markdown = Figures.markdown(runs, peakRss, peerProblem, rounds, timer, singleImageTimer,
        jitWarmup);
    BenchReport.write(out, "speed-benchmark", results, markdown);
    System.out.println();
    System.out.println(markdown);
    System.out.println("wrote " + out.resolve("speed-benchmark.md") + " and .json");
    return 0;
  }

  /** Peak resident memory of this JVM (VmHWM), heap and native (ND4J) together. */
  static double peakRssMb() throws IOException {
    Path status = Path.of("/proc/self/status");
    if (!Files.exists(status)) {
      return Double.NaN;
    }
    return Files.readAllLines(status).stream().filter(l -> l.startsWith("VmHWM:"))
        .map(l -> Double.parseDouble(l.replaceAll("[^0-9]", "")) / 1024.0)
        .findFirst().orElse(Double.NaN);
  }

  static final class Engine {
    static final String SPINDLE = "spindle";
    static final String STOCK = "pytorch_stock";
    static final String OPENBLAS = "pytorch_openblas";

    private Engine() {}
  }

  /** The figures in the peer's JSON keys, and the report. */
  static final class Figures {
    /** peer key, label, unit, higher is better. */
    record Row(String key, String label, String unit, boolean higherIsBetter) {}

    static final List<Row> ROWS = List.of(
        new Row("rotation_pretrain_samples_per_s", "rotation pretraining (64 images x 4)", "samples/s", true),
        new Row("supervised_train_img_per_s", "full training, batch 64", "img/s", true),
        new Row("stage1_head_train_img_per_s", "head-only training, batch 64", "img/s", true),
        new Row("infer_b64_img_per_s", "inference, batch 64", "img/s", true),
        new Row("infer_b1_ms", "inference, batch 1", "ms", false));

    private Figures() {}

    static Map<String, Object> ofSpindle(Map<String, StepTimer.Timing> t) {
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("rotation_pretrain_samples_per_s", round(t.get("rotation_pretrain").rate(4 * SpindleSteps.BATCH)));
      out.put("supervised_train_img_per_s", round(t.get("supervised_train").rate(SpindleSteps.BATCH)));
      out.put("stage1_head_train_img_per_s", round(t.get("stage1_head_train").rate(SpindleSteps.BATCH)));
      out.put("infer_b64_img_per_s", round(t.get("infer_b64").rate(SpindleSteps.BATCH)));
      out.put("infer_b1_ms", Math.round(t.get("infer_b1").medianSeconds() * 1e6) / 1000.0);
      Map<String, Object> spread = new LinkedHashMap<>();
      t.forEach((step, timing) -> spread.put(step, round(100 * timing.spread())));
      out.put("spread_p10_p90_pct_of_median", spread);
      return out;
    }

    static String markdown(Map<String, List<Map<String, Object>>> runs, double spindleRss,
        Optional<String> peerProblem, int rounds, StepTimer timer, StepTimer singleImage,
        int jitWarmup) throws IOException {
      StringBuilder md = new StringBuilder("# Speed: Spindle (DL4J) vs the PyTorch peer\n\n");
      md.append(String.format(Locale.ROOT, "Protocol FMNIST-SSL-v1 throughput steps, %d cores, "
          + "%d rounds alternating the engines; each figure is the median of the round medians "
          + "(each round: %d warm-up steps, then %d timed; at batch 1 %d timed, after %d warm-up "
          + "calls for Spindle, whose per-layer Java the JVM compiles after a few hundred), with "
          + "the lowest and highest round in brackets; before the first round Spindle ran %d "
          + "untimed full-training and stage-1 steps (and a quarter as many rotation steps) once, "
          + "for the JVM's compiler (the peer has none). Ratios are Spindle / peer (for batch-1 latency: Spindle's ms / peer's ms, "
          + "lower is better).%n%n",
          Runtime.getRuntime().availableProcessors(), rounds, timer.warmup(), timer.steps(),
          singleImage.steps(), singleImage.warmup(), jitWarmup));
      peerProblem.ifPresent(why -> md.append("PyTorch peer not run: ").append(why).append("\n\n"));
      md.append("| step | Spindle | PyTorch + OpenBLAS | ratio | PyTorch stock BLAS | ratio | target |\n");
      md.append("|---|---|---|---|---|---|---|\n");
      for (Row row : ROWS) {
        double spindle = median(runs, Engine.SPINDLE, row.key());
        md.append("| ").append(row.label()).append(", ").append(row.unit()).append(" | ")
            .append(cell(runs, Engine.SPINDLE, row.key()));
        for (String peer : List.of(Engine.OPENBLAS, Engine.STOCK)) {
          double other = median(runs, peer, row.key());
          md.append(" | ").append(cell(runs, peer, row.key())).append(" | ")
              .append(Double.isNaN(other) ? "-" : String.format(Locale.ROOT, "%.2fx", spindle / other));
        }
        md.append(" | ").append(row.higherIsBetter() ? ">= 1.0x OpenBLAS" : "<= 1.0x OpenBLAS")
            .append(" |\n");
      }
      md.append(String.format(Locale.ROOT, "| peak resident memory, MB | %.0f | %s | | %s | | |%n",
          spindleRss, peakRss(runs, Engine.OPENBLAS), peakRss(runs, Engine.STOCK)));
      md.append("\nSpindle's within-round spread (p10-p90 as % of the median), last round: ")
          .append(lastSpread(runs)).append("\n\nBoth processes hold the 60k training images as "
          + "float32 (~190 MB); Spindle also the 10k test images (~31 MB).\n");
      return md.toString();
    }

    private static String cell(Map<String, List<Map<String, Object>>> runs, String engine, String key) {
      double[] values = values(runs, engine, key);
      if (values.length == 0) {
        return "-";
      }
      Arrays.sort(values);
      return String.format(Locale.ROOT, "%s (%s-%s)", fmt(median(values)), fmt(values[0]),
          fmt(values[values.length - 1]));
    }

    private static String peakRss(Map<String, List<Map<String, Object>>> runs, String engine) {
      double[] values = values(runs, engine, "peak_rss_mb");
      return values.length == 0 ? "-" : String.format(Locale.ROOT, "%.0f",
          Arrays.stream(values).max().orElse(Double.NaN));
    }

    private static String lastSpread(Map<String, List<Map<String, Object>>> runs) {
      List<Map<String, Object>> spindle = runs.get(Engine.SPINDLE);
      return String.valueOf(spindle.get(spindle.size() - 1).get("spread_p10_p90_pct_of_median"));
    }

    static double median(Map<String, List<Map<String, Object>>> runs, String engine, String key) {
      double[] values = values(runs, engine, key);
      return values.length == 0 ? Double.NaN : median(values);
    }

    private static double median(double[] values) {
      double[] sorted = values.clone();
      Arrays.sort(sorted);
      int n = sorted.length;
      return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static double[] values(Map<String, List<Map<String, Object>>> runs, String engine, String key) {
      return runs.getOrDefault(engine, List.of()).stream()
          .map(r -> r.get(key)).filter(v -> v instanceof Number)
          .mapToDouble(v -> ((Number) v).doubleValue()).toArray();
    }

    private static String fmt(double v) {
      return v >= 100 ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.2f", v);
    }

    private static double round(double v) {
      return Math.round(v * 10) / 10.0;
    }
  }
}
