package dev.spindle.trainer.learn;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/**
 * A trained classifier and how it got there.
 *
 * @param network the final classifier (stage 2, or the best stage-2 epoch on validation)
 * @param stage1 validation after stage 1 (null without a validation set)
 * @param validation validation of {@code network} (null without a validation set)
 * @param stage2Epochs stage-2 epochs actually run
 */
public record TransferResult(
    MultiLayerNetwork network, Evaluation stage1, Evaluation validation, int stage2Epochs) {}
