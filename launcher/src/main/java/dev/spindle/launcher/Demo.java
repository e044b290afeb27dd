package dev.spindle.launcher;

import dev.spindle.ingest.loader.FashionMnist;
import dev.spindle.ingest.loader.IdxFile;
import dev.spindle.model.InputShape;
import dev.spindle.schemas.ClassNames;
import dev.spindle.schemas.TopicNames;
import dev.spindle.stack.LocalStack;
import dev.spindle.stack.StackConfig;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The main job: a fresh local stack (real KRaft broker and Apicurio registry), ingest-,
 * trainer- and serving-service as three separate processes, Fashion-MNIST streamed in over
 * HTTP with a few labels per class, a simulated annotator answering label requests in rounds,
 * live progress from the services' metrics, and a closing table of the served model versions
 * scored on the test set.
 */
@Command(name = "spindle demo", mixinStandardHelpOptions = true,
    description = {"Runs Spindle end to end on a fresh local stack: the three services as "
        + "separate processes, Fashion-MNIST streamed in, labels arriving over time from a "
        + "simulated annotator that prefers the label requests, and a summary of the served "
        + "models' test accuracy by labels used.",
        "Services' logs and data go to the run directory; the summary to --out. Ctrl-C "
            + "stops everything."})
public final class Demo implements Callable<Integer> {
  @Option(names = "--minutes", defaultValue = "7.5",
      description = "How long the pipeline runs before the summary (default ${DEFAULT-VALUE}; "
          + "the whole demo then takes about 9 minutes on 2 cores).")
  double minutes;

  @Option(names = "--follow", description = "After the summary, keep streaming, labeling and "
      + "serving until Ctrl-C.")
  boolean follow;

  @Option(names = "--images", defaultValue = "60000",
      description = "Fashion-MNIST training images to stream in (default ${DEFAULT-VALUE}).")
  int images;

  @Option(names = "--rate", defaultValue = "60",
      description = "Images per second sent to ingest-service (default ${DEFAULT-VALUE}).")
  double rate;

  @Option(names = "--labeled-per-class", defaultValue = "5",
      description = "Images per class that arrive with their label (default ${DEFAULT-VALUE}).")
  int labeledPerClass;

  @Option(names = "--labels-per-round", defaultValue = "50",
      description = "Labels the annotator sends per round; also the trainer's transfer trigger "
          + "(default ${DEFAULT-VALUE}).")
  int labelsPerRound;

  @Option(names = "--round-seconds", defaultValue = "30",
      description = "Seconds between the annotator's rounds, which start once a model is "
          + "served (default ${DEFAULT-VALUE}).")
  int roundSeconds;

  @Option(names = "--pretrain-steps", defaultValue = "200",
      description = "Rotation pretraining steps (64 images x 4) before the first transfer "
          + "(default ${DEFAULT-VALUE}).")
  int pretrainSteps;

  @Option(names = "--propagation-pool", defaultValue = "1000",
      description = "Replay images the trainer's label propagation trains on after each "
          + "transfer (trainer.propagation.pool; default ${DEFAULT-VALUE}, a fifth of the "
          + "trainer's own default: on 2 cores shared by three services a 5000-image pool made "
          + "each transfer take over 2 minutes, and the demo ended with one model).")
  int propagationPool;

  @Option(names = "--set", paramLabel = "KEY=VALUE",
      description = "A setting for the services, on top of the demo's own (repeatable; the "
          + "keys of the README's configuration tables, e.g. --set "
          + "trainer.propagation.rounds=6). A key no service reads, or a value a service "
          + "refuses, is an error before anything starts. The stack's addresses are the "
          + "demo's.")
  Map<String, String> overrides = new LinkedHashMap<>();

  @Option(names = "--run-dir", description = "Where the stack's data, the model store and the "
      + "services' logs go (default .spindle/demo/<date-time>).")
  Path runDir;

  @Option(names = "--out", defaultValue = "results", description = "Where the summary goes "
      + "(default ${DEFAULT-VALUE}).")
  Path out;

  private static final Duration PROGRESS_EVERY = Duration.ofSeconds(10);
  /** No new round this close to the end: its model would not be served before the summary. */
  private static final Duration LAST_ROUND_BEFORE_END = Duration.ofSeconds(75);

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    long started = System.nanoTime();
    try {
      ServiceSettingsCheck.checkDemoOverrides(overrides);
    } catch (IllegalArgumentException refused) {
      throw new CommandLine.ParameterException(spec.commandLine(), refused.getMessage());
    }
    Path dir = runDir != null ? runDir : Path.of(".spindle", "demo",
        LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
    Closer closer = new Closer();
    Thread onCtrlC = new Thread(() -> {
      Console.step("stopping: services, then the stack ...");
      closer.closeAll();
    }, "demo-shutdown");
    Runtime.getRuntime().addShutdownHook(onCtrlC);
    try {
      run(dir.toAbsolutePath(), closer, started);
      return 0;
    } finally {
      closer.closeAll();
      try {
        Runtime.getRuntime().removeShutdownHook(onCtrlC);
      } catch (IllegalStateException alreadyShuttingDown) {
        // Ctrl-C: the hook is running
      }
    }
  }

  private void run(Path dir, Closer closer, long started) throws Exception {
    Console.step("starting the local stack (KRaft broker + Apicurio registry) in " + dir);
    // stopped by the closer after the services, not by the stack's own hook beside theirs
    LocalStack stack = closer.add(
        LocalStack.start(StackConfig.ephemeral(dir.resolve("stack"))).closedByCaller());
    Console.step("kafka " + stack.bootstrapServers() + ", registry " + stack.registryUrl());
    if (!overrides.isEmpty()) {
      Console.step("settings for the services (--set): " + overrides);
    }
    DemoServices services = DemoServices.start(
        stack, dir, pretrainSteps, labelsPerRound, propagationPool, overrides, closer);
    HttpClient http = HttpClient.newHttpClient();
    services.awaitResponding(http);
    for (ServiceProcess service : services.all()) {
      Console.step(String.format("%-8s %s%s  (log %s)", service.name(), service.base(),
          service.name().equals("serving") ? "/dashboard" : "/healthz", service.logFile()));
    }

    IdxFile trainImages = IdxFile.read(Path.of(FashionMnist.TRAIN_IMAGES));
    IdxFile trainLabels = IdxFile.read(Path.of(FashionMnist.TRAIN_LABELS));
    ImageStream stream = closer.add(new ImageStream(trainImages, trainLabels, images,
        labeledPerClass, rate, services.ingest().base(), ClassNames.FASHION_MNIST).start());
    Console.step(String.format("streaming %,d Fashion-MNIST images in as PNG uploads at %.0f/s, "
        + "the first %d of each class labeled", Math.min(images, trainImages.count()), rate,
        labeledPerClass));
    Annotator annotator = closer.add(new Annotator(stack.bootstrapServers(), TopicNames.LABEL_REQUESTS,
        stream, ClassNames.FASHION_MNIST, services.ingest().base()));
    PipelineWatch watch = new PipelineWatch(services.ingest().base(), services.trainer().base(),
        services.serving().base(), services.modelDir());
    LabelRounds rounds = new LabelRounds();

    long deadline = started + (long) (minutes * 60e9);
    long nextProgress = 0;
    long nextRound = Long.MAX_VALUE;
    boolean summarized = false;
    int servedSeen = 0;
    while ((!summarized || follow) && !closer.isClosing()) {
      long now = System.nanoTime();
      if (!closer.isClosing()) { // services stopped by Ctrl-C did not fail
        services.checkAlive();
      }
      PipelineWatch.Snapshot snapshot = watch.poll();
      List<PipelineWatch.Served> served = watch.served();
      for (PipelineWatch.Served s : served.subList(servedSeen, served.size())) {
        Console.step(String.format("serving model v%d: %d labels, backbone v%d, validation "
                + "accuracy %.4f%s", s.manifest().version(), s.manifest().labelsUsed(),
            s.manifest().backboneVersion(), s.manifest().metrics().getOrDefault("accuracy", Double.NaN),
            rounds.latencyText(s, served, stream.labeledOnUploadCount())));
        nextRound = Math.min(nextRound, now + (long) (roundSeconds * 1e9));
      }
      servedSeen = served.size();
      watch.newlyRejected(snapshot).forEach((version, reason) ->
          Console.step("serving-service rejected model v" + version + ": " + reason));
      if (now >= nextProgress) {
        Console.step(watch.progress(snapshot));
        nextProgress = now + PROGRESS_EVERY.toNanos();
      }
      boolean roundsOpen = follow || deadline - now > LAST_ROUND_BEFORE_END.toNanos();
      if (now >= nextRound && roundsOpen) {
        Annotator.Round round = annotator.label(labelsPerRound);
        rounds.add(round);
        Console.step(String.format("annotator: %d labels (%d from label requests, %d random); "
                + "%d labels in all", round.total(), round.fromRequests(), round.random(),
            stream.labeledOnUploadCount() + rounds.sent()));
        nextRound = now + (long) (roundSeconds * 1e9);
      }
      if (!summarized && now >= deadline) {
        summarize(watch, rounds, stream, annotator, started, services);
        summarized = true;
        if (follow) {
          Console.step("--follow: still running; Ctrl-C stops everything");
        }
      }
      Thread.sleep(1_000);
    }
  }

  private void summarize(PipelineWatch watch, LabelRounds rounds, ImageStream stream,
      Annotator annotator, long started, DemoServices services) throws Exception {
    if (!follow) {
      Console.step("time is up: stopping the stream, the annotator and the services");
      stream.close();   // waits for the uploads in flight
      annotator.close();
    }
    // read after the stream stopped, so the services' counts cover every upload it counts
    PipelineWatch.Snapshot last = watch.poll();
    if (!follow) {
      // the services' work is done: scoring goes faster without them on the same cores
      services.stop();
    }
    Console.step("scoring every served model on the 10,000 test images ...");
    List<PipelineWatch.Served> served = watch.served();
    DemoReport report = new DemoReport();
    if (!served.isEmpty()) {
      TestSet test = TestSet.load(InputShape.parse(served.get(0).manifest().inputShape()));
      for (PipelineWatch.Served s : served) {
        var m = s.manifest();
        report.add(new DemoReport.Row(m.version(), m.backboneVersion(), m.labelsUsed(),
            m.metrics().getOrDefault("accuracy", Double.NaN),
            round4(test.accuracy(services.modelDir().resolve("v" + m.version()), m)),
            (s.servedAtNanos() - started) / 1e9,
            rounds.latencySeconds(s, served, stream.labeledOnUploadCount())));
      }
    } else {
      Console.step("no model was served: see " + services.trainer().logFile());
    }
    report.put("images_ingested", (long) last.imagesAccepted());
    report.put("images_refused", stream.refused());
    report.put("labels_on_upload", stream.labeledOnUploadCount());
    report.put("annotator_rounds", rounds.count());
    report.put("annotator_labels_from_requests", rounds.fromRequests());
    report.put("annotator_labels_random", rounds.sent() - rounds.fromRequests());
    report.put("label_requests_read", annotator.requestsRead());
    report.put("pretrain_steps", (long) last.pretrainSteps());
    report.put("pretext_accuracy", round4(last.pretextAccuracy()));
    report.put("stream_predictions", (long) last.streamPredictions());
    report.put("swaps", (long) last.swaps());
    report.put("models_rejected", watch.rejected());
    report.put("label_to_serving_s_median", rounds.medianLatency(served, stream.labeledOnUploadCount()));
    if (!overrides.isEmpty()) {
      report.put("settings", overrides.toString());
    }
    report.put("wall_s", Math.round((System.nanoTime() - started) / 1e8) / 10.0);
    report.put("logs", services.logDir().toString());
    Path md = report.write(out);
    System.out.println();
    System.out.println("== Spindle demo: served models (labels used -> test accuracy) ==");
    System.out.print(report.table());
    System.out.print(report.figuresText());
    System.out.println("  written to " + md + " and " + out.resolve("demo-summary.json"));
    System.out.println("  service logs: " + services.ingest().logFile() + ", "
        + services.trainer().logFile() + ", " + services.serving().logFile());
  }

  private static double round4(double v) {
    return Math.round(v * 10_000) / 10_000.0;
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new Demo()).execute(args));
  }
}
