package dev.spindle.bench.ssl;

import dev.spindle.bench.BenchReport;
import dev.spindle.model.ImageBatch;
import dev.spindle.model.NetworkSpec;
import dev.spindle.model.Networks;
import dev.spindle.model.runtime.Dl4jRuntime;
import dev.spindle.serving.holder.Scores;
import dev.spindle.serving.stream.LabelRequestPolicy;
import dev.spindle.serving.stream.LabelRequestWindow;
import dev.spindle.trainer.learn.Embeddings;
import dev.spindle.trainer.learn.Evaluation;
import dev.spindle.trainer.learn.Examples;
import dev.spindle.trainer.learn.RotationPretrainer;
import dev.spindle.trainer.learn.TransferRecipe;
import dev.spindle.trainer.learn.TwoStageTransfer;
import java.awt.Color;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.ndarray.INDArray;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Issue 4's active-learning simulation on Fashion-MNIST: from K labels per class, rounds of
 * labeling images chosen the way serving's label requests choose them (the least sure by the
 * configured measure, never one already labeled, no duplicates) against the same number chosen
 * at random, retraining (two-stage transfer from one rotation backbone) after each round.
 * Writes results/active-learning.{md,json,png}.
 */
@Command(name = "active-learning-benchmark", mixinStandardHelpOptions = true,
    description = "Simulates label requests vs random labeling on Fashion-MNIST and writes "
        + "results/active-learning.{md,json,png}.")
public final class ActiveLearningBenchmark implements Callable<Integer> {
  private static final List<String> CLASSES = dev.spindle.schemas.ClassNames.FASHION_MNIST;

  @Option(names = "--backbone", required = true, description = "Rotation network to transfer "
      + "from (bin/spindle bench-ssl --save-backbone FILE writes one).")
  Path backbone;

  @Option(names = "--k", defaultValue = "4", description = "Starting labels per class (default: ${DEFAULT-VALUE}).")
  int k;

  @Option(names = "--rounds", defaultValue = "5", description = "Labeling rounds (default: ${DEFAULT-VALUE}).")
  int rounds;

  @Option(names = "--per-round", defaultValue = "100", description = "Images labeled per round (default: ${DEFAULT-VALUE}).")
  int perRound;

  @Option(names = "--measure", defaultValue = "margin",
      description = "Label-request measure: entropy or margin (default: ${DEFAULT-VALUE}, as serving).")
  String measure;

  @Option(names = "--balanced", negatable = true, defaultValue = "true",
      description = "Take the least sure images per predicted class (an equal share for each "
      + "class) instead of overall: against the cold-start bias of plain uncertainty sampling "
      + "towards a few confusable classes (default: ${DEFAULT-VALUE}, as serving).")
  boolean balanced;

  @Option(names = "--representatives", defaultValue = "10",
      description = "N > 0: of the N x per-round least sure, request one representative of each "
      + "of per-round regions (weighted k-means on the classifier's hidden features); 0: the "
      + "per-round least sure themselves (default: ${DEFAULT-VALUE}, as serving).")
  int representatives;

  @Option(names = "--pool", defaultValue = "20000",
      description = "Unlabeled training images the annotator can be asked about (default: ${DEFAULT-VALUE}).")
  int poolSize;

  @Option(names = "--eval", defaultValue = "test", converter = EvalSplit.Converter.class,
      description = "test: the 10k test set; holdout: the last 10k training images, never in "
          + "the pool (for choosing a strategy without the test set) (default: ${DEFAULT-VALUE}).")
  EvalSplit eval;

  @Option(names = "--propagation-pool", defaultValue = "5000",
      description = "Retrain as the streaming trainer does by default: two-stage transfer, "
          + "then label propagation with the trainer's default settings (--propagation "
          + "changes its rounds) over this many "
          + "unlabeled pool images (the trainer's trainer.propagation.pool); 0 = the protocol's "
          + "two-stage transfer alone (default: ${DEFAULT-VALUE}).")
  int propagationPool;

  @Option(names = "--propagation", split = ",", paramLabel = "ROUNDS,EPOCHS",
      description = "Label-propagation rounds and epochs per round in each retraining, in "
          + "place of the trainer's defaults (trainer.propagation.rounds and .epochs), e.g. "
          + "6,2 as bench-ssl's K=4 figures use; results then go to files named "
          + "...-propagationROUNDSxEPOCHS.")
  int[] propagation;

  @Option(names = "--seeds", defaultValue = "1", description = "Repetitions with other random draws and training seeds (default: ${DEFAULT-VALUE}).")
  int seeds;

  @Option(names = "--first-seed", defaultValue = "1",
      description = "The first seed; --seeds N runs this one and the N-1 after it, so a later "
          + "run can add seeds to an earlier one's (default: ${DEFAULT-VALUE}).")
  int firstSeed;

  @Option(names = "--out", defaultValue = "results", description = "Results directory.")
  Path out;

  public static void main(String[] args) {
    System.exit(new CommandLine(new ActiveLearningBenchmark()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    // first: bad --seeds, --first-seed or --propagation are refused before the data and the
    // backbone are loaded
    if (seeds < 1 || firstSeed < 1) {
      throw new CommandLine.ParameterException(new CommandLine(this),
          "--seeds and --first-seed must be 1 or more, were " + seeds + " and " + firstSeed);
    }
    TransferRecipe.Propagation learner =
        propagationPool > 0 ? trainerPropagation() : TransferRecipe.Propagation.OFF;
    TransferRecipe recipe = TransferRecipe.protocol(0).with(learner);
    Dl4jRuntime.init();
    long started = System.nanoTime();
    FmnistData data = FmnistData.load();
    NetworkSpec spec = NetworkSpec.forInput(FmnistData.SHAPE, 4);
    MultiLayerNetwork rotation =
        Networks.upgraded(ModelSerializer.restoreMultiLayerNetwork(backbone.toFile(), true));
    LabelRequestPolicy policy = new LabelRequestPolicy(
        true, measure, perRound, Duration.ofMinutes(1), balanced, representatives);
    int featureLayer = Networks.backboneLayers(spec, spec.cutBlock());
    System.out.printf("active learning: K=%d per class, %d rounds x %d labels, %s, pool %d, %d seed(s) from %d%n",
        k, rounds, perRound, measure, poolSize, seeds, firstSeed);

    double[][] active = new double[seeds][];
    double[][] random = new double[seeds][];
    for (int s = 0; s < seeds; s++) {
      int seed = firstSeed + s;
      Simulation simulation = new Simulation(data, spec, rotation, eval, recipe.withSeed(seed));
      active[s] = simulation.run("label requests", (model, candidates) ->
          requests(model, featureLayer, candidates, data, policy, seed));
      Random draw = new Random(1000 + seed - 1);
      random[s] = simulation.run("random",
          (model, candidates) -> randomPick(candidates, perRound, draw));
    }
    int[] labels = IntStream.rangeClosed(0, rounds).map(r -> 10 * k + r * perRound).toArray();
    double activeGain = gainPerLabel(active);
    double randomGain = gainPerLabel(random);
    double minutes = (System.nanoTime() - started) / 60e9;

    Map<String, Object> results = new LinkedHashMap<>();
    results.put("start_labels_per_class", k);
    results.put("rounds", rounds);
    results.put("per_round", perRound);
    results.put("measure", measure);
    results.put("balanced", balanced);
    results.put("representatives", representatives);
    results.put("pool", poolSize);
    results.put("seeds", IntStream.range(firstSeed, firstSeed + seeds).toArray());
    results.put("labels", labels);
    results.put("active_accuracy", active);
    results.put("random_accuracy", random);
    results.put("active_gain_per_100_labels", 100 * activeGain);
    results.put("random_gain_per_100_labels", 100 * randomGain);
    results.put("gain_ratio", activeGain / randomGain);
    results.put("eval", eval.toString());
    results.put("propagation_pool", propagationPool);
    results.put("propagation", learner.enabled() ? describe(learner) : "off");
    results.put("wall_minutes", minutes);
    // serving's default policy writes active-learning.*, others a variant
    boolean servingDefault = balanced && "margin".equals(measure) && representatives == 10;
    // ... and another learner than the trainer's default a variant too
    String name = "active-learning" + (servingDefault ? "" : "-" + measure
        + (balanced ? "-balanced" : "") + "-representatives" + representatives)
        + (propagation == null ? "" : "-propagation" + propagation[0] + "x" + propagation[1]);
    BenchReport.write(out, name, results,
        markdown(labels, active, random, activeGain, randomGain, minutes, learner));
    AccuracyPlot.write(out.resolve(name + ".png"),
        "Active learning on Fashion-MNIST: label requests vs random", "labels used (log scale)",
        labels, List.of(
            new AccuracyPlot.Curve("label requests (" + measure + (balanced ? ", balanced" : "")
                + (representatives > 0 ? ", representatives" : "") + ")",
                new Color(200, 60, 40),
                means(active), stds(active)),
            new AccuracyPlot.Curve("random", new Color(40, 90, 200), means(random), stds(random))));
    System.out.printf(Locale.ROOT, "gain per 100 labels: label requests %.2f pts, random %.2f pts, ratio %.2fx (target >= 1.3x)%n",
        100 * 100 * activeGain, 100 * 100 * randomGain, activeGain / randomGain);
    System.out.println("wrote " + out.resolve(name + ".md") + ", .json and .png");
    return 0;
  }

  /** Picks the next images to label from the candidates (indices into the training set). */
  interface Picker {
    List<Integer> pick(MultiLayerNetwork model, List<Integer> candidates);
  }


  /**
   * The streaming trainer's default propagation (its configuration with only addresses set),
   * with {@code --propagation}'s rounds and epochs in place of its own when given.
   */
  private TransferRecipe.Propagation trainerPropagation() {
    TransferRecipe.Propagation defaults = TrainerDefaults.config().recipe().propagation();
    if (propagation == null) {
      return defaults;
    }
    if (propagation.length != 2 || propagation[0] < 1 || propagation[1] < 1) {
      throw new CommandLine.ParameterException(new CommandLine(this),
          "--propagation takes ROUNDS,EPOCHS, both 1 or more, was " + Arrays.toString(propagation));
    }
    return new TransferRecipe.Propagation(propagation[0], propagation[1],
        defaults.learningRate(), defaults.augmentation(), defaults.agreement());
  }

  private static String describe(TransferRecipe.Propagation propagation) {
    return propagation.rounds() + " rounds of " + propagation.epochs() + " epochs";
  }

  /** One arm: the starting labels, then rounds of picking, labeling and retraining. */
  private final class Simulation {
    private final FmnistData data;
    private final NetworkSpec spec;
    private final MultiLayerNetwork rotation;
    private final Examples evaluation;
    private final TransferRecipe recipe;
    private final int seed;
    private final List<Integer> start = new ArrayList<>();
    /** Round 0 is the same in every arm (same labels, same seed): trained once. */
    private MultiLayerNetwork startModel;
    private double startAccuracy;
    private final List<Integer> pool = new ArrayList<>();
    /** What label propagation trains on besides the labels (empty when it is off). */
    private final List<float[]> unlabeled;

    Simulation(FmnistData data, NetworkSpec spec, MultiLayerNetwork rotation, EvalSplit split,
        TransferRecipe recipe) {
      this.data = data;
      this.evaluation = split.scoring(data);
      this.spec = spec;
      this.rotation = rotation;
      this.recipe = recipe;
      this.seed = (int) recipe.seed();
      int[] taken = new int[10];
      for (int i = 0; i < data.train().size() && start.size() < 10 * k; i++) {
        if (taken[data.trainLabels()[i]] < k) {
          taken[data.trainLabels()[i]]++;
          start.add(i);
        }
      }
      int[] order = Examples.permutation(split.poolCandidates(data), new Random(seed));
      for (int i = 0; i < order.length && pool.size() < poolSize; i++) {
        if (!start.contains(order[i])) {
          pool.add(order[i]);
        }
      }
      unlabeled = recipe.propagation().enabled()
          ? pool.subList(0, Math.min(propagationPool, pool.size())).stream()
              .map(data.train()::get).toList()
          : List.of();
    }

    double[] run(String arm, Picker picker) {
      List<Integer> labeled = new ArrayList<>(start);
      List<Integer> candidates = new ArrayList<>(pool);
      double[] accuracy = new double[rounds + 1];
      for (int round = 0; round <= rounds; round++) {
        MultiLayerNetwork model;
        if (round == 0 && startModel != null) {
          model = startModel;
          accuracy[round] = startAccuracy;
        } else {
          model = train(labeled);
          accuracy[round] = Evaluation.of(model, evaluation, 10).accuracy();
        }
        if (round == 0) {
          startModel = model;
          startAccuracy = accuracy[round];
        }
        System.out.printf(Locale.ROOT, "seed %d  %-15s round %d  %4d labels  %s accuracy %.4f%n",
            seed, arm, round, labeled.size(), eval, accuracy[round]);
        if (round < rounds) {
          List<Integer> picked = picker.pick(model, candidates);
          labeled.addAll(picked);
          candidates.removeAll(new java.util.HashSet<>(picked));
        }
      }
      return accuracy;
    }

    private MultiLayerNetwork train(List<Integer> labeled) {
      List<float[]> images = new ArrayList<>();
      int[] labels = new int[labeled.size()];
      for (int i = 0; i < labeled.size(); i++) {
        images.add(data.train().get(labeled.get(i)));
        labels[i] = data.trainLabels()[labeled.get(i)];
      }
      TwoStageTransfer transfer = new TwoStageTransfer(spec, 10, recipe, TwoStageTransfer.Progress.NONE);
      return transfer.transfer(rotation, new Examples(FmnistData.SHAPE, images, labels), null,
          unlabeled).network();
    }
  }

  /**
   * The label requests serving would publish: each candidate scored by the model and offered
   * to serving's own {@link LabelRequestWindow} (least sure by the policy's measure, balanced
   * across predicted classes if asked), from which serving's policy chooses the requests
   * (representatives compared by the classifier's hidden features, as serving compares them).
   */
  static List<Integer> requests(MultiLayerNetwork model, int featureLayer,
      List<Integer> candidates, FmnistData data, LabelRequestPolicy policy, long seed) {
    LabelRequestWindow window = new LabelRequestWindow(policy.collected(), policy.balanced());
    for (int from = 0; from < candidates.size(); from += 256) {
      int to = Math.min(candidates.size(), from + 256);
      int offset = from;
      try (INDArray x = ImageBatch.of(FmnistData.SHAPE, to - from,
          i -> data.train().get(candidates.get(offset + i)));
          INDArray out = model.output(x, false)) {
        float[][] p = out.toFloatMatrix();
        for (int i = 0; i < p.length; i++) {
          Scores scores = Scores.of(p[i], CLASSES, 1);
          int id = candidates.get(from + i);
          window.offer(new LabelRequestWindow.Candidate(String.valueOf(id),
              policy.uncertainty(scores), 0, scores.label(), data.train().get(id)));
        }
      }
    }
    List<LabelRequestWindow.Candidate> chosen = policy.choose(window.drain(), images -> {
      try (INDArray rows = Embeddings.of(model, featureLayer, FmnistData.SHAPE, images)) {
        return rows.toFloatMatrix();
      }
    }, seed);
    return chosen.stream().map(c -> Integer.parseInt(c.imageId())).toList();
  }

  static List<Integer> randomPick(List<Integer> candidates, int n, Random random) {
    int[] order = Examples.permutation(candidates.size(), random);
    return IntStream.range(0, Math.min(n, order.length)).mapToObj(i -> candidates.get(order[i])).toList();
  }

  /** Mean accuracy gained per label from the start to the last round. */
  private double gainPerLabel(double[][] runs) {
    double[] mean = means(runs);
    return (mean[rounds] - mean[0]) / (rounds * perRound);
  }

  private String markdown(int[] labels, double[][] active, double[][] random, double activeGain,
      double randomGain, double minutes, TransferRecipe.Propagation learner) {
    StringBuilder md = new StringBuilder("# Active learning: label requests vs random labeling\n\n");
    md.append(String.format(Locale.ROOT, "Fashion-MNIST, start %d labels per class (first in file "
        + "order), %d rounds of %d labels chosen from a pool of %d unlabeled training images, "
        + "retrained after each round (%s, from backbone %s); accuracy on %s, mean of %s. "
        + "Label requests are chosen by serving's label-request policy: ranked by %s (never an "
        + "image already labeled)%s%s.%n%n",
        k, rounds, perRound, poolSize,
        learner.enabled()
            ? (propagation == null ? "as the trainer does by default: " : "")
                + "two-stage transfer, then label propagation (" + describe(learner)
                + ") over " + propagationPool + " unlabeled pool images"
            : "two-stage transfer alone, protocol FMNIST-SSL-v1",
        backbone.getFileName(),
        eval.description(),
        seeds == 1 ? "seed " + firstSeed : "seeds " + firstSeed + "-" + (firstSeed + seeds - 1),
        measure, balanced ? ", an equal share per predicted class" : "",
        representatives > 0 ? String.format(Locale.ROOT, ", then one representative of each of "
            + "%d regions (weighted k-means) of the %d least sure", perRound,
            representatives * perRound) : ", the least sure themselves"));
    md.append("| labels | label requests | random |\n|---|---|---|\n");
    double[] a = means(active);
    double[] r = means(random);
    for (int i = 0; i < labels.length; i++) {
      md.append(String.format(Locale.ROOT, "| %d | %.4f | %.4f |%n", labels[i], a[i], r[i]));
    }
    md.append(String.format(Locale.ROOT, "%nGain per 100 labels: label requests %.2f points, "
        + "random %.2f points: **%.2fx** (target >= 1.3x). Wall time %.1f min.%n",
        100 * 100 * activeGain, 100 * 100 * randomGain, activeGain / randomGain, minutes));
    return md.toString();
  }

  /** Per round, the mean over seeds (runs are [seed][round]). */
  private static double[] means(double[][] runs) {
    return perRound(runs, SslBenchmark::mean);
  }

  private static double[] stds(double[][] runs) {
    return perRound(runs, SslBenchmark::std);
  }

  private static double[] perRound(double[][] runs, java.util.function.ToDoubleFunction<double[]> f) {
    return IntStream.range(0, runs[0].length)
        .mapToDouble(i -> f.applyAsDouble(java.util.Arrays.stream(runs).mapToDouble(r -> r[i]).toArray()))
        .toArray();
  }
}
