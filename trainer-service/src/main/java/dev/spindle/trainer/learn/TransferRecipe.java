package dev.spindle.trainer.learn;

/**
 * Two-stage transfer and the supervised baseline, as numbers.
 *
 * @param stage1Epochs frozen backbone, new head
 * @param stage1LearningRate Adam
 * @param stage2Epochs everything unfrozen (the most; fewer with early stopping)
 * @param stage2LearningRate Adam, about a tenth of stage 1's
 * @param supervisedEpochs the baseline from scratch
 * @param batchSize mini-batch size; the last partial batch is kept
 * @param patience stage-2 epochs without a better validation accuracy before stopping; 0 = run
 *     every epoch (needed when there is no validation set, as in the offline protocol)
 * @param seed for initialisation and shuffling
 * @param augmentation applied to labeled (and pseudo-labeled) images in every stage, and to
 *     the baseline, so the comparison stays fair
 * @param selfTraining rounds of pseudo-labeling after stage 2 (beyond the article's recipe)
 * @param propagation rounds of label propagation over the unlabeled images after stage 2
 *     (beyond the article's recipe)
 */
public record TransferRecipe(
    int stage1Epochs,
    double stage1LearningRate,
    int stage2Epochs,
    double stage2LearningRate,
    int supervisedEpochs,
    int batchSize,
    int patience,
    long seed,
    Augmentation augmentation,
    SelfTraining selfTraining,
    Propagation propagation) {

  /**
   * Self-training after stage 2: each round labels the unlabeled pool with the current model,
   * adds the {@code perClass x round} most confident images of each class, and fine-tunes
   * {@code epochs} epochs at the stage-2 rate on them plus the labeled images (repeated so
   * they stay about a fifth of the mix).
   */
  public record SelfTraining(int rounds, int perClass, int epochs) {
    public static final SelfTraining OFF = new SelfTraining(0, 0, 0);

    public boolean enabled() {
      return rounds > 0 && perClass > 0 && epochs > 0;
    }
  }

  /**
   * Label propagation after stage 2: each round embeds the labeled and unlabeled images with
   * the current classifier, spreads the labels over their nearest-neighbour graph
   * ({@link LabelPropagation}) and trains {@code epochs} epochs at {@code learningRate} on the
   * labeled images plus every unlabeled one under its propagated label, weighted by the
   * propagation's certainty and balanced over classes (Iscen et al., CVPR 2019), each image
   * augmented by {@code augmentation} (the unlabeled images are many, so this stage can
   * afford it where 40 labeled images alone could not). With {@code agreement}, an unlabeled
   * image is trained on only when the network's own class agrees with the propagated one: the
   * graph's labels beat the network's at 40 labels but fall below them at hundreds (0.835 vs
   * 0.847 at 540, holdout), and where the two disagree neither is worth learning from.
   */
  public record Propagation(
      int rounds, int epochs, double learningRate, Augmentation augmentation,
      boolean agreement) {
    public static final Propagation OFF = new Propagation(0, 0, 0, Augmentation.NONE, false);

    public boolean enabled() {
      return rounds > 0 && epochs > 0;
    }
  }

  /** Protocol FMNIST-SSL-v1: 30 + 20 epochs at 1e-3 / 1e-4, baseline 50 at 1e-3, batch 64. */
  public static TransferRecipe protocol(long seed) {
    return new TransferRecipe(30, 1e-3, 20, 1e-4, 50, 64, 0, seed, Augmentation.NONE,
        SelfTraining.OFF, Propagation.OFF);
  }

  public TransferRecipe withSeed(long newSeed) {
    return new TransferRecipe(stage1Epochs, stage1LearningRate, stage2Epochs, stage2LearningRate,
        supervisedEpochs, batchSize, patience, newSeed, augmentation, selfTraining, propagation);
  }

  public TransferRecipe with(Augmentation newAugmentation, SelfTraining newSelfTraining) {
    return new TransferRecipe(stage1Epochs, stage1LearningRate, stage2Epochs, stage2LearningRate,
        supervisedEpochs, batchSize, patience, seed, newAugmentation, newSelfTraining,
        propagation);
  }

  /** The same recipe with the supervised baseline trained {@code epochs} epochs. */
  public TransferRecipe withSupervisedEpochs(int epochs) {
    return new TransferRecipe(stage1Epochs, stage1LearningRate, stage2Epochs, stage2LearningRate,
        epochs, batchSize, patience, seed, augmentation, selfTraining, propagation);
  }

  public TransferRecipe with(Propagation newPropagation) {
    return new TransferRecipe(stage1Epochs, stage1LearningRate, stage2Epochs, stage2LearningRate,
        supervisedEpochs, batchSize, patience, seed, augmentation, selfTraining, newPropagation);
  }
}
