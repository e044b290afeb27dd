package dev.spindle.launcher;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.spindle.ingest.IngestConfig;
import dev.spindle.ingest.IngestService;
import dev.spindle.ingest.loader.FashionMnist;
import dev.spindle.ingest.loader.IdxFile;
import dev.spindle.ingest.loader.IdxSource;
import dev.spindle.ingest.validation.LabelNames;
import dev.spindle.schemas.config.Settings;
import dev.spindle.stack.LocalStack;
import dev.spindle.stack.StackConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The main job, as far as Spindle goes today: a fresh local stack (real broker and registry),
 * ingest-service and trainer-service, Fashion-MNIST streamed in with a few labels per class,
 * late labels from a simulated annotator joined onto their images, the trainer pretraining on
 * the stream and publishing a model once the labels are in, that model scored on the test
 * set, serving-service promoting it, predicting every unlabeled image on the stream and
 * answering HTTP clients, and a summary with the numbers.
 */
@Command(name = "spindle demo", mixinStandardHelpOptions = true,
    description = "Runs Spindle end to end on a fresh local stack and prints a summary.")
public final class Demo implements Callable<Integer> {
  @Option(names = "--labeled-per-class", defaultValue = "4",
      description = "Images per class that arrive labeled (default ${DEFAULT-VALUE}).")
  int labeledPerClass;

  @Option(names = "--late-labels-per-class", defaultValue = "4",
      description = "Labels per class an annotator sends later (default ${DEFAULT-VALUE}).")
  int lateLabelsPerClass;

  @Option(names = "--limit", defaultValue = "60000",
      description = "Training images to stream in (default ${DEFAULT-VALUE}).")
  int limit;

  @Option(names = "--pretrain-steps", defaultValue = "300",
      description = "Rotation pretraining steps (64 images x 4) before the first transfer "
          + "(default ${DEFAULT-VALUE}; about 3-4 minutes on 2 cores).")
  int pretrainSteps;

  @Option(names = "--out", defaultValue = "results", description = "Where the summary goes.")
  Path out;

  @Override
  public Integer call() throws Exception {
    long started = System.nanoTime();
    Path workDir = Files.createTempDirectory("spindle-demo");
    Console.step("starting the local stack (KRaft broker + Apicurio registry) in " + workDir);
    try (LocalStack stack = LocalStack.start(StackConfig.ephemeral(workDir))) {
      Console.step("kafka " + stack.bootstrapServers() + ", registry " + stack.registryUrl());
      IngestConfig config = IngestConfig.from(Settings.of(Map.of(
          "kafka.bootstrap.servers", stack.bootstrapServers(),
          "schema.registry.url", stack.registryUrl(),
          "ingest.http.host", "127.0.0.1", "ingest.http.port", "0",
          "ingest.state.dir", workDir.resolve("ingest-state").toString())));
      try (IngestService ingest = new IngestService(config).start();
          DemoTraining training = new DemoTraining(stack, workDir, pretrainSteps);
          DemoServing serving = new DemoServing(stack, workDir)) {
        Console.step("ingest-service on http://127.0.0.1:" + ingest.httpPort());
        DemoRun run = new DemoRun(stack, config, ingest.httpPort());
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.putAll(run.streamImages(IdxSource.items(Path.of(FashionMnist.TRAIN_IMAGES),
            Path.of(FashionMnist.TRAIN_LABELS), LabelNames.FASHION_MNIST,
            labeledPerClass, 0, limit)));
        summary.putAll(run.sendLateLabels(IdxFile.read(Path.of(FashionMnist.TRAIN_IMAGES)),
            IdxFile.read(Path.of(FashionMnist.TRAIN_LABELS)), labeledPerClass,
            lateLabelsPerClass, Duration.ofSeconds(60)));
        summary.putAll(run.checkDedupAndValidation());
        summary.putAll(training.awaitModel(Duration.ofMinutes(30)));
        long unlabeled = ((Number) summary.get("images_ingested")).longValue()
            - ((Number) summary.get("labeled_on_upload")).longValue();
        summary.putAll(serving.predictions(unlabeled, 200, Duration.ofMinutes(10)));
        summary.put("wall_s", Math.round((System.nanoTime() - started) / 1e8) / 10.0);
        Files.createDirectories(out);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .writeValue(out.resolve("demo-summary.json").toFile(), summary);
        Console.summary(summary, out.resolve("demo-summary.json"));
      }
    }
    return 0;
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new Demo()).execute(args));
  }
}
