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
 */
public record TransferRecipe(
    int stage1Epochs,
    double stage1LearningRate,
    int stage2Epochs,
    double stage2LearningRate,
    int supervisedEpochs,
    int batchSize,
    int patience,
    long seed) {

  /** Protocol FMNIST-SSL-v1: 30 + 20 epochs at 1e-3 / 1e-4, baseline 50 at 1e-3, batch 64. */
  public static TransferRecipe protocol(long seed) {
    return new TransferRecipe(30, 1e-3, 20, 1e-4, 50, 64, 0, seed);
  }

  public TransferRecipe withSeed(long newSeed) {
    return new TransferRecipe(stage1Epochs, stage1LearningRate, stage2Epochs, stage2LearningRate,
        supervisedEpochs, batchSize, patience, newSeed);
  }

  public TransferRecipe withPatience(int epochs) {
    return new TransferRecipe(stage1Epochs, stage1LearningRate, stage2Epochs, stage2LearningRate,
        supervisedEpochs, batchSize, epochs, seed);
  }
}
