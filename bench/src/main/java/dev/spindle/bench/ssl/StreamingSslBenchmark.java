package dev.spindle.bench.ssl;

import dev.spindle.bench.BenchReport;
import dev.spindle.ingest.IngestConfig;
import dev.spindle.ingest.IngestPipeline;
import dev.spindle.ingest.IngestService;
import dev.spindle.ingest.loader.BulkLoader;
import dev.spindle.ingest.loader.FashionMnist;
import dev.spindle.ingest.loader.IdxSource;
import dev.spindle.ingest.loader.LoadSummary;
import dev.spindle.ingest.publish.RecordSender;
import dev.spindle.model.NetworkSpec;
import dev.spindle.model.artifact.LoadedModel;
import dev.spindle.model.artifact.ModelStore;
import dev.spindle.schemas.ClassNames;
import dev.spindle.schemas.Topics;
import dev.spindle.schemas.config.Settings;
import dev.spindle.stack.LocalStack;
import dev.spindle.stack.StackConfig;
import dev.spindle.trainer.TrainerConfig;
import dev.spindle.trainer.TrainerService;
import dev.spindle.trainer.learn.Evaluation;
import dev.spindle.trainer.learn.Examples;
import dev.spindle.trainer.learn.RotationPretrainer;
import dev.spindle.trainer.learn.TransferRecipe;
import dev.spindle.trainer.learn.TwoStageTransfer;
import dev.spindle.trainer.publish.ModelVersions;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The same learner, offline and streaming: the first N Fashion-MNIST training images (K per
 * class labeled) go through the real path (bulk loader -> ingest -> Kafka -> trainer-service,
 * which pretrains S steps, then transfers and publishes a model), and through the offline
 * runner with the same steps and epochs. Both models are scored on the 10k test set. Writes
 * results/ssl-streaming.{md,json}.
 */
@Command(name = "ssl-streaming-benchmark", mixinStandardHelpOptions = true,
    description = "Compares the streaming trainer (ingest -> Kafka -> trainer-service) with the "
        + "offline runner on the same data and epochs; writes results/ssl-streaming.{md,json}.")
public final class StreamingSslBenchmark implements Callable<Integer> {
  @Option(names = "--images", defaultValue = "10000", description = "First N training images.")
  int images;

  @Option(names = "--k", defaultValue = "16", description = "Labeled per class among them.")
  int k;

  @Option(names = "--steps", defaultValue = "300",
      description = "Pretraining steps (64 images x 4 rotations) before the transfer.")
  int steps;

  @Option(names = "--cut", defaultValue = "4", description = "Backbone block feeding the head.")
  int cut;

  @Option(names = "--propagation", negatable = true, defaultValue = "true",
      description = "Label propagation after stage 2 on both paths, as the trainer runs it by "
          + "default (its rounds, epochs and pool size; the offline pool is drawn from the same "
          + "images); --no-propagation compares stages 1 and 2 alone (default: ${DEFAULT-VALUE}).")
  boolean propagation;

  @Option(names = "--out", defaultValue = "results", description = "Results directory.")
  Path out;

  public static void main(String[] args) {
    System.exit(new CommandLine(new StreamingSslBenchmark()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    FmnistData data = FmnistData.load();
    NetworkSpec spec = NetworkSpec.forInput(FmnistData.SHAPE, cut);
    Examples labeled = data.firstPerClass(k);
    if (labeled.size() < 10 * k) {
      throw new IllegalStateException("fewer than " + k + " images per class in the data");
    }
    System.out.printf("offline runner: %d steps on %d images, then transfer on %d labels%n",
        steps, images, labeled.size());
    double offline = offline(data, spec, labeled);
    System.out.printf("offline test accuracy %.4f%n", offline);
    double streaming = streaming(data, spec);
    System.out.printf("streaming test accuracy %.4f%n", streaming);

    Map<String, Object> results = new LinkedHashMap<>();
    results.put("images", images);
    results.put("labeled_per_class", k);
    results.put("pretrain_steps", steps);
    results.put("cut_block", cut);
    results.put("label_propagation", propagation);
    results.put("offline_test_accuracy", offline);
    results.put("streaming_test_accuracy", streaming);
    results.put("difference_points", 100 * (streaming - offline));
    String md = String.format("# Streaming trainer vs offline runner%n%n"
        + "First %d Fashion-MNIST training images, the first %d per class labeled; %d rotation "
        + "pretraining steps (64 images x 4), then two-stage transfer (30 + 20 epochs)%s, "
        + "classifier on block %d. Test accuracy on the 10k test set.%n%n"
        + "| path | test accuracy |%n|---|---|%n| offline runner | %.4f |%n"
        + "| ingest -> Kafka -> trainer-service | %.4f |%n%nDifference: %+.1f points.%n",
        images, k, steps, propagation ? " and the trainer's label propagation" : "", cut,
        offline, streaming, 100 * (streaming - offline));
    BenchReport.write(out, "ssl-streaming", results, md);
    System.out.println(md);
    return Math.abs(streaming - offline) <= 0.02 ? 0 : 1;
  }

  private double offline(FmnistData data, NetworkSpec spec, Examples labeled) {
    List<float[]> pool = data.train().subList(0, images);
    RotationPretrainer pretrainer = new RotationPretrainer(spec.withCut(spec.blocks()), 1e-3, 1);
    Random random = new Random(1);
    int[] order = new int[0];
    int position = 0;
    for (int step = 0; step < steps; step++) {
      if (position + 64 > order.length) {
        order = Examples.permutation(pool.size(), random);
        position = 0;
      }
      List<float[]> batch = new ArrayList<>(64);
      for (int i = 0; i < 64; i++) {
        batch.add(pool.get(order[position++]));
      }
      pretrainer.step(batch);
    }
    TransferRecipe recipe = TransferRecipe.protocol(1);
    List<float[]> unlabeled = List.of();
    if (propagation) {
      TrainerConfig trainer = TrainerDefaults.config();
      recipe = recipe.with(trainer.recipe().propagation());
      // the trainer propagates over a uniform sample of its replay reservoir's images
      int[] drawn = Examples.permutation(pool.size(), new Random(2));
      unlabeled = new ArrayList<>();
      for (int i = 0; i < Math.min(trainer.propagationPool(), drawn.length); i++) {
        unlabeled.add(pool.get(drawn[i]));
      }
    }
    var result = new TwoStageTransfer(spec, 10, recipe, TwoStageTransfer.Progress.NONE)
        .transfer(pretrainer.snapshot(), labeled, null, unlabeled);
    return Evaluation.of(result.network(), data.test(), 10).accuracy();
  }

  private double streaming(FmnistData data, NetworkSpec spec) throws Exception {
    Path work = Files.createTempDirectory("spindle-ssl-streaming");
    try (LocalStack stack = LocalStack.start(StackConfig.ephemeral(work.resolve("stack")))) {
      Map<String, String> connection = Map.of(
          "kafka.bootstrap.servers", stack.bootstrapServers(),
          "schema.registry.url", stack.registryUrl());
      IngestConfig ingest = IngestConfig.from(Settings.of(connection).with(Map.of(
          "ingest.join.enabled", "false", "ingest.state.dir", work.resolve("ingest").toString())));
      IngestService.provisionTopics(ingest);
      Topics topics = Topics.create(ingest.clients().serde());
      try (RecordSender sender = RecordSender.forBulk(ingest.clients(), ingest.publishTimeout(),
          ingest.bulkLinger());
          IngestPipeline pipeline = IngestPipeline.create(ingest, topics, sender)) {
        LoadSummary summary = new BulkLoader(pipeline, 10_000, System.out).load(IdxSource.items(
            Path.of(FashionMnist.TRAIN_IMAGES), Path.of(FashionMnist.TRAIN_LABELS),
            ClassNames.FASHION_MNIST, k, 0, images));
        System.out.println("ingested: " + summary.describe());
      }
      Map<String, String> trainer = new LinkedHashMap<>(connection);
      trainer.putAll(Map.of(
          "trainer.cut.block", Integer.toString(cut),
          "trainer.checkpoint.dir", work.resolve("checkpoints").toString(),
          "trainer.model.store", work.resolve("models").toString(),
          "trainer.http.port", "0",
          "trainer.holdout.percent", "0",
          "trainer.validation.percent", "0",
          "trainer.stage2.patience", "0",
          "trainer.transfer.every.labels", "1",
          "trainer.transfer.min.labels", "1",
          "trainer.transfer.min.steps", Integer.toString(steps)));
      if (!propagation) {
        // the same learner as the offline runner's protocol recipe: stages 1 and 2 only
        trainer.put("trainer.propagation.rounds", "0");
      }
      TrainerConfig config = TrainerConfig.from(Settings.of(trainer));
      try (TrainerService service = new TrainerService(config).start()) {
        long deadline = System.nanoTime() + Duration.ofMinutes(60).toNanos();
        while (service.lastModelVersion() < 1) {
          if (System.nanoTime() > deadline || service.loop().failure() != null) {
            throw new IllegalStateException("no model from the streaming trainer: "
                + service.health());
          }
          System.out.printf("\rstreaming trainer: step %d, backbone v%d", service.loop().steps(),
              service.loop().backboneVersion());
          Thread.sleep(2000);
        }
        System.out.println();
      }
      long version = ModelVersions.latest(config.clients(), topics, config.modelName(),
          config.modelStore());
      Path dir = config.modelStore().resolve(config.modelName()).resolve("v" + version);
      LoadedModel model = ModelStore.load(URI.create(dir.toUri().toString()),
          ModelStore.readManifest(dir).sha256());
      return Evaluation.of(model.network(), data.test(), 10).accuracy();
    }
  }
}
