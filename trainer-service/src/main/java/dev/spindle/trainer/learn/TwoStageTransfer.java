package dev.spindle.trainer.learn;

import dev.spindle.model.InputShape;
import dev.spindle.model.NetworkSpec;
import dev.spindle.model.Networks;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

/**
 * Two-stage transfer from a rotation network, and the supervised baseline.
 *
 * <p>Stage 1 trains a new head on the frozen backbone (BatchNorm in inference mode), so that
 * random-head gradients cannot wreck the pretrained features. Stage 2 rebuilds the classifier
 * unfrozen (DL4J's TransferLearning cannot unfreeze), copies every parameter over and
 * fine-tunes everything at the smaller rate, keeping the best epoch on validation when there
 * is a validation set. Beyond the article's recipe, label-propagation rounds
 * ({@link TransferRecipe.Propagation}) then let the unlabeled images shape the classifier.
 */
public final class TwoStageTransfer {
  /** Progress callback: stage name, epoch (1-based), epochs in the stage. */
  public interface Progress {
    Progress NONE = (stage, epoch, epochs) -> {};

    void epochDone(String stage, int epoch, int epochs);
  }

  private final NetworkSpec spec;
  private final int classes;
  private final TransferRecipe recipe;
  private final Progress progress;
  private final LabelPropagation propagation = LabelPropagation.standard();
  /** The head's hidden layer: label propagation's graph is built on its outputs. */
  private final int featureLayer;
  private LabelPropagation.Labels lastPropagation;

  public TwoStageTransfer(NetworkSpec spec, int classes, TransferRecipe recipe, Progress progress) {
    this.spec = spec;
    this.classes = classes;
    this.recipe = recipe;
    this.progress = progress;
    this.featureLayer = Networks.backboneLayers(spec, spec.cutBlock());
  }

  /**
   * The labels of the last propagation round (the labeled images first, then the unlabeled
   * ones in order), or null: for diagnostics where the true labels are known.
   */
  public LabelPropagation.Labels lastPropagation() {
    return lastPropagation;
  }

  /** Stage 1 then stage 2 from the backbone of {@code rotationNet} (which is not modified). */
  public TransferResult transfer(MultiLayerNetwork rotationNet, Examples train, Examples validation) {
    return transfer(rotationNet, train, validation, List.of());
  }

  /**
   * Stage 1, stage 2, then (if the recipe asks for them and {@code unlabeled} is not empty)
   * self-training on pseudo-labels and label-propagation rounds over {@code unlabeled}; the
   * result's validation figures are those of the final network.
   */
  public TransferResult transfer(MultiLayerNetwork rotationNet, Examples train,
      Examples validation, List<float[]> unlabeled) {
    requireExamples(train);
    Random random = new Random(recipe.seed());
    MultiLayerNetwork classifier =
        Networks.classifier(spec, classes, recipe.stage1LearningRate(), recipe.seed());
    Networks.copyBackbone(spec, rotationNet, classifier);

    MultiLayerNetwork frozen = Networks.withFrozenBackbone(
        spec, classifier, recipe.stage1LearningRate(), recipe.seed());
    if (recipe.augmentation().isNone()) {
      HeadOnFeatures.fitCached(frozen, featureLayer, train, classes, recipe.stage1Epochs(),
          recipe.batchSize(), recipe.seed(), random, progress);
    } else {
      HeadOnFeatures head = HeadOnFeatures.of(frozen, featureLayer, recipe.seed());
      for (int epoch = 1; epoch <= recipe.stage1Epochs(); epoch++) {
        for (int[] batch : train.shuffledBatches(recipe.batchSize(), random)) {
          head.fit(train.dataSet(batch, classes, recipe.augmentation(), random));
        }
        progress.epochDone("stage 1", epoch, recipe.stage1Epochs());
      }
      head.writeBack();
    }
    Evaluation stage1 = evaluate(frozen, validation);

    MultiLayerNetwork tuned =
        Networks.classifier(spec, classes, recipe.stage2LearningRate(), recipe.seed());
    Networks.copyLayers(frozen, tuned, tuned.getLayers().length);
    int epochs = fitWithEarlyStopping(tuned, train, validation, recipe.stage2Epochs(), random);
    if (recipe.selfTraining().enabled() && !unlabeled.isEmpty()) {
      selfTrain(tuned, train, unlabeled, random);
    }
    if (recipe.propagation().enabled() && !unlabeled.isEmpty()) {
      propagate(tuned, train, unlabeled, random);
    }
    return new TransferResult(tuned, stage1, evaluate(tuned, validation), epochs);
  }

  /** The baseline: {@code fullSpec}'s network from scratch on the same labels. */
  public MultiLayerNetwork supervised(NetworkSpec fullSpec, Examples train) {
    requireExamples(train);
    Random random = new Random(recipe.seed());
    MultiLayerNetwork net =
        Networks.classifier(fullSpec, classes, recipe.stage1LearningRate(), recipe.seed());
    for (int epoch = 1; epoch <= recipe.supervisedEpochs(); epoch++) {
      fitEpoch(net, train, random);
      progress.epochDone("supervised", epoch, recipe.supervisedEpochs());
    }
    return net;
  }

  private void selfTrain(
      MultiLayerNetwork net, Examples train, List<float[]> unlabeled, Random random) {
    TransferRecipe.SelfTraining plan = recipe.selfTraining();
    Examples pool = new Examples(train.shape(), unlabeled, new int[unlabeled.size()]);
    for (int round = 1; round <= plan.rounds(); round++) {
      Examples pseudo = PseudoLabels.select(net, pool, classes, round * plan.perClass());
      int repeat = Math.max(1, (int) Math.ceil(0.25 * pseudo.size() / train.size()));
      Examples mixed = train.concat(repeat, pseudo);
      for (int epoch = 1; epoch <= plan.epochs(); epoch++) {
        fitEpoch(net, mixed, random);
        progress.epochDone("self-training round " + round, epoch, plan.epochs());
      }
    }
  }

  private void propagate(
      MultiLayerNetwork net, Examples train, List<float[]> unlabeled, Random random) {
    TransferRecipe.Propagation plan = recipe.propagation();
    LabelPropagation.Points points = LabelPropagation.Points.of(train, unlabeled);
    Examples pool = new Examples(train.shape(), unlabeled, new int[unlabeled.size()]);
    net.setLearningRate(plan.learningRate());
    for (int round = 1; round <= plan.rounds(); round++) {
      LabelPropagation.Labels spread;
      try (INDArray features = Embeddings.of(net, featureLayer, train.shape(), points.images())) {
        spread = propagation.propagate(features, points.labels(), classes);
      }
      lastPropagation = spread;
      int[] predicted = plan.agreement() ? PseudoLabels.predictions(net, pool, classes) : null;
      Examples pseudo =
          pseudoLabeled(spread, train.size(), unlabeled, train.shape(), classes, predicted);
      int repeat = Math.max(1, (int) Math.ceil(0.25 * pseudo.size() / train.size()));
      Examples mixed = train.concat(repeat, pseudo);
      for (int epoch = 1; epoch <= plan.epochs(); epoch++) {
        fitEpoch(net, mixed, plan.augmentation(), random);
        progress.epochDone("propagation round " + round, epoch, plan.epochs());
      }
    }
  }

  /**
   * The unlabeled images under their propagated labels, weight = certainty x class balance;
   * with {@code predicted} (the network's classes), only those where the two agree.
   */
  static Examples pseudoLabeled(LabelPropagation.Labels spread, int offset,
      List<float[]> unlabeled, InputShape shape, int classes, int[] predicted) {
    List<Integer> kept = new ArrayList<>(unlabeled.size());
    int[] perClass = new int[classes];
    for (int i = 0; i < unlabeled.size(); i++) {
      int label = spread.label()[offset + i];
      if (predicted == null || predicted[i] == label) {
        kept.add(i);
        perClass[label]++;
      }
    }
    int n = kept.size();
    List<float[]> images = new ArrayList<>(n);
    int[] labels = new int[n];
    float[] weights = new float[n];
    for (int j = 0; j < n; j++) {
      int i = kept.get(j);
      labels[j] = spread.label()[offset + i];
      images.add(unlabeled.get(i));
      weights[j] = spread.certainty()[offset + i] * n / (float) (classes * perClass[labels[j]]);
    }
    return new Examples(shape, images, labels, weights);
  }

  private int fitWithEarlyStopping(
      MultiLayerNetwork net, Examples train, Examples validation, int maxEpochs, Random random) {
    boolean stopEarly = recipe.patience() > 0 && validation != null && !validation.isEmpty();
    double best = -1;
    INDArray bestParams = null;
    int sinceBest = 0;
    int epoch = 0;
    while (epoch < maxEpochs) {
      epoch++;
      fitEpoch(net, train, random);
      progress.epochDone("stage 2", epoch, maxEpochs);
      if (!stopEarly) {
        continue;
      }
      double accuracy = Evaluation.of(net, validation, classes).accuracy();
      if (accuracy > best) {
        best = accuracy;
        bestParams = net.params().dup();
        sinceBest = 0;
      } else if (++sinceBest >= recipe.patience()) {
        break;
      }
    }
    if (bestParams != null) {
      net.params().assign(bestParams);
      bestParams.close();
    }
    return epoch;
  }

  private void fitEpoch(MultiLayerNetwork net, Examples train, Random random) {
    fitEpoch(net, train, recipe.augmentation(), random);
  }

  private void fitEpoch(
      MultiLayerNetwork net, Examples train, Augmentation augmentation, Random random) {
    for (int[] batch : train.shuffledBatches(recipe.batchSize(), random)) {
      fitAndRelease(net, train.dataSet(batch, classes, augmentation, random));
    }
  }

  /** One training step on {@code data}, whose arrays are then released. */
  static void fitAndRelease(MultiLayerNetwork net, DataSet data) {
    try {
      net.fit(data);
    } finally {
      release(data);
    }
  }

  /** Releases {@code data}'s arrays. */
  static void release(DataSet data) {
    data.getFeatures().close();
    data.getLabels().close();
    if (data.getLabelsMaskArray() != null) {
      data.getLabelsMaskArray().close();
    }
  }

  private Evaluation evaluate(MultiLayerNetwork net, Examples validation) {
    return validation == null || validation.isEmpty() ? null : Evaluation.of(net, validation, classes);
  }

  private static void requireExamples(Examples train) {
    if (train.isEmpty()) {
      throw new IllegalArgumentException("no labeled training examples");
    }
  }
}
