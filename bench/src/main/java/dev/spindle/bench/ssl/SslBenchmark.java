package dev.spindle.bench.ssl;

import dev.spindle.bench.BenchReport;
import dev.spindle.ingest.loader.ProgressBar;
import dev.spindle.model.NetworkSpec;
import dev.spindle.model.Networks;
import dev.spindle.model.runtime.Dl4jRuntime;
import dev.spindle.trainer.learn.Augmentation;
import dev.spindle.trainer.learn.Cutout;
import dev.spindle.trainer.learn.Evaluation;
import dev.spindle.trainer.learn.Examples;
import dev.spindle.trainer.learn.LabelPropagation;
import dev.spindle.trainer.learn.RotationPretrainer;
import dev.spindle.trainer.learn.TransferRecipe;
import dev.spindle.trainer.learn.TransferResult;
import dev.spindle.trainer.learn.TwoStageTransfer;
import java.awt.Color;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Protocol FMNIST-SSL-v1, offline: rotation pretraining on all 60k training images, then for
 * each K two-stage transfer (semi-supervised) and the same network from scratch (supervised)
 * on the first K images per class; test accuracy on the 10k test set. Writes
 * results/ssl-benchmark.{md,json,png}.
 */
@Command(name = "ssl-benchmark", mixinStandardHelpOptions = true,
    description = "Runs protocol FMNIST-SSL-v1 (semi-supervised vs supervised test accuracy "
        + "per labels-per-class K) and writes results/ssl-benchmark.{md,json,png}.")
public final class SslBenchmark implements Callable<Integer> {
  @Option(names = "--k", split = ",", defaultValue = "4,8,16,32,64,128",
      description = "Labels per class (default: ${DEFAULT-VALUE}).")
  int[] ks;

  @Option(names = "--seeds", defaultValue = "3",
      description = "Transfer/baseline seeds for K <= 32 (default: ${DEFAULT-VALUE}).")
  int seeds;

  @Option(names = "--large-k-seeds", defaultValue = "1",
      description = "Seeds for K > 32 (default: ${DEFAULT-VALUE}).")
  int largeKSeeds;

  @Option(names = "--pre-epochs", defaultValue = "3",
      description = "Rotation pretraining epochs over the 60k images (default: ${DEFAULT-VALUE}).")
  double preEpochs;

  @Option(names = "--pre-cutout", defaultValue = "0", description = "Rotation pretraining with "
      + "cutout: a random square of this side in pixels blanked in each image, 0: none "
      + "(default: ${DEFAULT-VALUE}, as the protocol).")
  int preCutout;

  @Option(names = "--cut", defaultValue = "4",
      description = "Backbone block that feeds the classifier head, 1-4 (default: ${DEFAULT-VALUE}).")
  int cut;

  @Option(names = "--backbone", description = "Load the rotation network from this file "
      + "instead of pretraining (written by --save-backbone).")
  Path backboneIn;

  @Option(names = "--save-backbone", description = "Save the pretrained rotation network here.")
  Path backboneOut;

  @Option(names = "--augment", description = "Random flips and shifts up to 2 px on labeled "
      + "images, for semi-supervised and supervised alike (default: off, as the protocol).")
  boolean augment;

  @Option(names = "--self-training", split = ",", description = "Pseudo-label rounds after "
      + "stage 2 as ROUNDS,PER_CLASS,EPOCHS, e.g. 3,300,5 (default: off, as the protocol).")
  int[] selfTraining;

  @Option(names = "--propagation", split = ",", description = "Label-propagation rounds "
      + "after stage 2 as ROUNDS,EPOCHS, e.g. 2,3 (default: off, as the protocol).")
  int[] propagation;

  @Option(names = "--propagation-lr", defaultValue = "1e-4",
      description = "Adam rate while training on propagated labels (default: ${DEFAULT-VALUE}).")
  double propagationRate;

  @Option(names = "--propagation-augment", negatable = true, defaultValue = "true",
      fallbackValue = "true", description = "Augment images while training on propagated "
          + "labels, as --propagation-flip and --propagation-shift say (default: on).")
  boolean propagationAugment;

  @Option(names = "--propagation-flip", negatable = true, defaultValue = "true",
      fallbackValue = "true", description = "Include random horizontal flips in the augmentation "
          + "of propagation rounds (default: on).")
  boolean propagationFlip;

  @Option(names = "--propagation-shift", defaultValue = "2",
      description = "Largest random shift in pixels in the augmentation of propagation rounds "
          + "(default: ${DEFAULT-VALUE}).")
  int propagationShift;

  @Option(names = "--propagation-agreement", negatable = true, defaultValue = "true",
      fallbackValue = "true", description = "Train only on the pool images whose propagated "
          + "label the network agrees with (default: on, as the trainer).")
  boolean propagationAgreement;

  @Option(names = "--pool", defaultValue = "10000",
      description = "Unlabeled images (a fixed random subset of the 60k; of the first 50k with "
          + "--eval holdout) that self-training or propagation labels (default: ${DEFAULT-VALUE}).")
  int poolSize;

  @Option(names = "--supervised-epochs", defaultValue = "50",
      description = "Epochs of the supervised baseline (default: ${DEFAULT-VALUE}, the protocol's; "
          + "it fits its labels by then, but its held-out accuracy still rises a little with "
          + "more).")
  int supervisedEpochs;

  @Option(names = "--eval", defaultValue = "test", converter = EvalSplit.Converter.class,
      description = "test: the 10k test set "
      + "(for reporting); holdout: the last 10k training images (for tuning, so the test set "
      + "never picks a setting). Default: ${DEFAULT-VALUE}.")
  EvalSplit eval;

  @Option(names = "--seed", defaultValue = "1", description = "Pretraining seed.")
  long seed;

  @Option(names = "--out", defaultValue = "results", description = "Results directory.")
  Path out;

  @Option(names = "--name", defaultValue = "ssl-benchmark", description = "Results file name.")
  String name;

  private double[][] semi;
  private double[][] sup;
  private double[][] stage1;

  public static void main(String[] args) {
    System.exit(new CommandLine(new SslBenchmark()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    if (supervisedEpochs < 1) {
      throw new CommandLine.ParameterException(new CommandLine(this),
          "--supervised-epochs must be at least 1, was " + supervisedEpochs);
    }
    if (preCutout < 0) {
      throw new CommandLine.ParameterException(new CommandLine(this),
          "--pre-cutout must be 0 (off) or more pixels, was " + preCutout);
    }
    if (propagationShift < 0) {
      throw new CommandLine.ParameterException(new CommandLine(this),
          "--propagation-shift must be 0 or more pixels, was " + propagationShift);
    }
    Dl4jRuntime.init();
    long started = System.nanoTime();
    FmnistData data = FmnistData.load();
    NetworkSpec spec = NetworkSpec.forInput(FmnistData.SHAPE, cut);
    NetworkSpec full = spec.withCut(spec.blocks());
    System.out.printf("FMNIST-SSL-v1: %d unlabeled, %d test, %s%n",
        data.train().size(), data.test().size(), spec);

    MultiLayerNetwork rotation;
    double preSeconds = 0;
    long preSamples = 0;
    if (backboneIn != null) {
      rotation = Networks.upgraded(
          ModelSerializer.restoreMultiLayerNetwork(backboneIn.toFile(), true));
      System.out.println("loaded rotation network from " + backboneIn);
    } else {
      long t0 = System.nanoTime();
      // one generator for the batches' order and the cutout squares, drawn in that order
      Random random = new Random(seed);
      RotationPretrainer pretrainer =
          new RotationPretrainer(full, 1e-3, seed, new Cutout(preCutout), random);
      preSamples = pretrain(pretrainer, data.train(), random);
      preSeconds = (System.nanoTime() - t0) / 1e9;
      rotation = pretrainer.snapshot();
      if (backboneOut != null) {
        Files.createDirectories(backboneOut.toAbsolutePath().getParent());
        ModelSerializer.writeModel(rotation, backboneOut.toFile(), true);
      }
    }
    double pretext = new RotationPretrainer(full, rotation, 0).pretextAccuracy(testImages(data.test()));
    System.out.printf("rotation pretext accuracy on the rotated test set: %.4f%n", pretext);

    Examples scoring = eval.scoring(data);
    List<float[]> pool = new ArrayList<>();
    int[] poolTruth = new int[0];
    if (selfTraining != null || propagation != null) {
      int[] order = Examples.permutation(eval.poolCandidates(data), new Random(seed));
      poolTruth = new int[Math.min(poolSize, order.length)];
      for (int i = 0; i < poolTruth.length; i++) {
        pool.add(data.train().get(order[i]));
        poolTruth[i] = data.trainLabels()[order[i]];
      }
    }
    List<Map<String, Object>> rows = new ArrayList<>();
    semi = new double[ks.length][];
    sup = new double[ks.length][];
    stage1 = new double[ks.length][];
    for (int i = 0; i < ks.length; i++) {
      int k = ks[i];
      int runs = k <= 32 ? seeds : largeKSeeds;
      Examples labeled = data.firstPerClass(k);
      semi[i] = new double[runs];
      sup[i] = new double[runs];
      stage1[i] = new double[runs];
      for (int s = 0; s < runs; s++) {
        // patience 0: the test set is only evaluated after each stage, never used to select
        TransferRecipe recipe = recipe(s + 1);
        TwoStageTransfer trainer =
            new TwoStageTransfer(spec, 10, recipe, TwoStageTransfer.Progress.NONE);
        TransferResult result = trainer.transfer(rotation, labeled, scoring, pool);
        stage1[i][s] = result.stage1().accuracy();
        if (trainer.lastPropagation() != null) {
          System.out.printf("  propagated labels on the pool (diagnostic, training labels): "
              + "%.4f%n", agreement(trainer.lastPropagation(), labeled.size(), poolTruth));
        }
        semi[i][s] = result.validation().accuracy();
        sup[i][s] = Evaluation.of(trainer.supervised(full, labeled), scoring, 10).accuracy();
        System.out.printf("K=%d seed=%d  stage1 %.4f  semi %.4f  supervised %.4f%n",
            k, s + 1, stage1[i][s], semi[i][s], sup[i][s]);
      }
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("k", k);
      row.put("seeds", runs);
      row.put("stage1", stage1[i]);
      row.put("semi", semi[i]);
      row.put("supervised", sup[i]);
      row.put("semi_mean", mean(semi[i]));
      row.put("semi_std", std(semi[i]));
      row.put("supervised_mean", mean(sup[i]));
      row.put("supervised_std", std(sup[i]));
      rows.add(row);
    }
    double minutes = (System.nanoTime() - started) / 60e9;
    Map<String, Object> results = new LinkedHashMap<>();
    results.put("protocol", "FMNIST-SSL-v1");
    results.put("network", spec.toString());
    results.put("scored_on", eval == EvalSplit.TEST ? "10k test set" : "last 10k training images");
    results.put("cut_block", cut);
    results.put("supervised_epochs", supervisedEpochs);
    results.put("augment", augment);
    results.put("self_training", selfTraining == null ? "off" : Arrays.toString(selfTraining));
    results.put("propagation", propagation == null ? "off" : Arrays.toString(propagation));
    results.put("propagation_learning_rate", propagationRate);
    results.put("propagation_augmentation", propagationAugmentation().describe());
    results.put("propagation_agreement", propagationAgreement);
    results.put("unlabeled_pool", pool.size());
    results.put("pretrain_epochs", backboneIn != null ? "loaded: " + backboneIn : preEpochs);
    results.put("pretrain_cutout", backboneIn != null ? null : preCutout);
    results.put("pretrain_samples_per_s", preSeconds > 0 ? preSamples / preSeconds : null);
    results.put("pretext_test_accuracy", pretext);
    results.put("rows", rows);
    results.put("wall_minutes", minutes);
    Files.createDirectories(out);
    BenchReport.write(out, name, results, markdown(pretext, preSamples, preSeconds, minutes));
    AccuracyPlot.write(out.resolve(name + ".png"),
        "FMNIST-SSL-v1: rotation pretraining + two-stage transfer vs supervised", ks, List.of(
            new AccuracyPlot.Curve("semi-supervised (cut " + cut
                + (propagation == null ? "" : ", + label propagation") + ")", new Color(200, 60, 40),
                means(semi), stds(semi)),
            new AccuracyPlot.Curve("supervised from scratch", new Color(40, 90, 200),
                means(sup), stds(sup))));
    System.out.printf("wrote %s/%s.{md,json,png} (%.1f min)%n", out, name, minutes);
    return 0;
  }

  private TransferRecipe recipe(long transferSeed) {
    TransferRecipe protocol = TransferRecipe.protocol(transferSeed)
        .withSupervisedEpochs(supervisedEpochs)
        .with(propagation == null ? TransferRecipe.Propagation.OFF
            : new TransferRecipe.Propagation(propagation[0], propagation[1], propagationRate,
                propagationAugmentation(),
                propagationAgreement));
    return protocol.with(labeledAugmentation(),
        selfTraining == null ? TransferRecipe.SelfTraining.OFF
            : new TransferRecipe.SelfTraining(selfTraining[0], selfTraining[1], selfTraining[2]));
  }

  /** {@code --augment}: on the labeled images in every stage and in the baseline. */
  private Augmentation labeledAugmentation() {
    return augment ? new Augmentation(true, 2) : Augmentation.NONE;
  }

  /** The propagation rounds' augmentation, from its three options. */
  private Augmentation propagationAugmentation() {
    return propagationAugment ? new Augmentation(propagationFlip, propagationShift)
        : Augmentation.NONE;
  }

  private static double agreement(LabelPropagation.Labels spread, int offset, int[] truth) {
    int same = 0;
    for (int i = 0; i < truth.length; i++) {
      same += spread.label()[offset + i] == truth[i] ? 1 : 0;
    }
    return (double) same / truth.length;
  }

  private long pretrain(RotationPretrainer pretrainer, List<float[]> pool, Random random) {
    int batch = 64;
    long total = Math.round(preEpochs * pool.size());
    ProgressBar bar = new ProgressBar(System.out, total * 4);
    int[] order = new int[0];
    long done = 0;
    double loss = Double.NaN;
    int position = 0;
    while (done < total) {
      if (position + batch > order.length) {
        order = Examples.permutation(pool.size(), random);
        position = 0;
      }
      List<float[]> images = new ArrayList<>(batch);
      for (int i = 0; i < batch; i++) {
        images.add(pool.get(order[position++]));
      }
      loss = pretrainer.step(images);
      done += batch;
      bar.update(done * 4, String.format("rotation loss %.3f", loss));
    }
    bar.finish(done * 4, String.format("rotation loss %.3f", loss));
    return done * 4;
  }

  private static List<float[]> testImages(Examples test) {
    List<float[]> images = new ArrayList<>(test.size());
    for (int i = 0; i < test.size(); i++) {
      images.add(test.image(i));
    }
    return images;
  }

  private String markdown(double pretext, long preSamples, double preSeconds, double minutes) {
    StringBuilder md = new StringBuilder();
    md.append("# FMNIST-SSL-v1: semi-supervised vs supervised\n\n");
    md.append(String.format("Network: RotNet CNN (see NetworkSpec), classifier head on block %d. "
        + "Pretraining: %s. Rotation pretext accuracy "
        + "(rotated test set): %.4f. Transfer: stage 1 30 epochs Adam 1e-3 (frozen backbone), "
        + "stage 2 20 epochs Adam 1e-4; supervised: full network from scratch, %d epochs "
        + "Adam 1e-3; batch 64. Augmentation: %s. Self-training: %s. Label propagation: %s. "
        + "Scored on: %s.%n%n",
        cut, backboneIn != null ? "the rotation network loaded from " + backboneIn
            : String.format("%.1f epochs over 60k images x 4 rotations%s (%.0f samples/s, %.1f min)",
                preEpochs, preCutout > 0 ? ", " + new Cutout(preCutout) : "",
                preSamples / preSeconds, preSeconds / 60), pretext, supervisedEpochs,
        augment ? labeledAugmentation().describe() + " (both methods)" : "none",
        selfTraining == null ? "none" : String.format("%d rounds x %d per class, %d epochs "
            + "each, on %d unlabeled images", selfTraining[0], selfTraining[1], selfTraining[2],
            poolSize),
        propagation == null ? "none" : String.format("%d rounds of %d epochs (Adam %s, %s) over "
            + "the labeled and %d unlabeled images (kNN graph of the classifier's hidden layer)%s",
            propagation[0], propagation[1], propagationRate,
            propagationAugmentation().describe(), poolSize,
            propagationAgreement ? ", each kept only where the classifier agrees" : ""),
        eval.description()));
    md.append("| K/class | seeds | semi stage 1 | semi-supervised | supervised | semi - sup |\n");
    md.append("|---|---|---|---|---|---|\n");
    for (int i = 0; i < ks.length; i++) {
      md.append(String.format("| %d | %d | %.4f | %.4f ± %.4f | %.4f ± %.4f | %+.1f pts |%n",
          ks[i], semi[i].length, mean(stage1[i]), mean(semi[i]), std(semi[i]), mean(sup[i]),
          std(sup[i]), 100 * (mean(semi[i]) - mean(sup[i]))));
    }
    md.append(String.format("%nWall time: %.1f min. Plot: %s.png%n", minutes, name));
    return md.toString();
  }


  private static double[] means(double[][] runs) {
    return Arrays.stream(runs).mapToDouble(SslBenchmark::mean).toArray();
  }

  private static double[] stds(double[][] runs) {
    return Arrays.stream(runs).mapToDouble(SslBenchmark::std).toArray();
  }

  static double mean(double[] values) {
    return Arrays.stream(values).average().orElse(Double.NaN);
  }

  static double std(double[] values) {
    if (values.length < 2) {
      return 0;
    }
    double m = mean(values);
    return Math.sqrt(Arrays.stream(values).map(v -> (v - m) * (v - m)).sum() / (values.length - 1));
  }
}
