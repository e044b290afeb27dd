package dev.spindle.trainer;

import dev.spindle.model.InputShape;
import dev.spindle.model.NetworkSpec;
import dev.spindle.schemas.ClassNames;
import dev.spindle.schemas.config.ClientSettings;
import dev.spindle.schemas.config.Settings;
import dev.spindle.trainer.learn.Cutout;
import dev.spindle.trainer.learn.TransferRecipe;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Everything trainer-service reads from configuration, with its defaults in one place. Keys
 * (any key can also be set as {@code SPINDLE_<KEY>}, dots as underscores):
 * <ul>
 *   <li>{@code kafka.bootstrap.servers}, {@code schema.registry.url}: required</li>
 *   <li>{@code labels.classes}: class names (Fashion-MNIST's by default)</li>
 *   <li>{@code trainer.model.name} (fashion-mnist), {@code trainer.input.shape} (1x28x28),
 *       {@code trainer.cut.block} (4: the last block; it transferred best when tuned on a
 *       training-data holdout, see the issue note)</li>
 *   <li>{@code trainer.batch.images} (64; x4 rotations per step), {@code trainer.learning.rate}
 *       (0.001), {@code trainer.seed} (1)</li>
 *   <li>{@code trainer.pretrain.cutout} (0 = off): pretrain on images with a random square of
 *       this side blanked ({@link Cutout}; 10 for Fashion-MNIST on the holdout)</li>
 *   <li>{@code trainer.reservoir.capacity} (20000): replay images kept for quiet periods</li>
 *   <li>{@code trainer.holdout.percent} (2): unlabeled images held out of training to measure
 *       pretext accuracy; {@code trainer.holdout.max} (1000)</li>
 *   <li>{@code trainer.validation.percent} (20): labeled images in the validation split</li>
 *   <li>{@code trainer.transfer.every.labels} (50), {@code trainer.transfer.every.minutes}
 *       (10): the transfer trigger; {@code trainer.transfer.min.labels} (10),
 *       {@code trainer.transfer.min.steps} (200): no transfer from a barely pretrained
 *       backbone</li>
 *   <li>{@code trainer.transfer.exclusive} (true): rotation pretraining waits while a transfer
 *       runs, so the transfer has the cores to itself (both train with every core; side by
 *       side on 2 cores each slowed the other); {@code trainer.transfer.steps.between} (10):
 *       pretraining steps between two transfers, so a steady stream of labels cannot stop
 *       pretraining for good</li>
 *   <li>{@code trainer.stage1.epochs} (30), {@code trainer.stage2.epochs} (20),
 *       {@code trainer.stage2.patience} (5), {@code trainer.transfer.batch} (64)</li>
 *   <li>{@code trainer.propagation.rounds} (2; 0 = off), {@code trainer.propagation.epochs}
 *       (2), {@code trainer.propagation.learning.rate} (1e-4), {@code trainer.propagation.pool}
 *       (5000): after stage 2, spread the labels over the nearest-neighbour graph of up to that
 *       many replay images and train on them ({@link TransferRecipe.Propagation}); the pool
 *       bounds the transfer's extra time; {@code trainer.propagation.agreement} (true): train
 *       only on the images whose propagated label the network agrees with</li>
 *   <li>{@code trainer.eval.every.steps} (100): how often the pretext accuracy is measured</li>
 *   <li>{@code trainer.checkpoint.every.steps} (200), {@code trainer.checkpoint.dir}
 *       (.spindle/trainer/checkpoints), {@code trainer.model.store} (.spindle/models),
 *       {@code trainer.model.store.keep} (20; 0 = all): the newest artifacts kept there</li>
 *   <li>{@code trainer.http.host} (0.0.0.0), {@code trainer.http.port} (8082; 0 = any)</li>
 *   <li>{@code trainer.group.id} (spindle-trainer): offsets are committed there for lag
 *       monitoring; the checkpoint is what the trainer resumes from</li>
 * </ul>
 */
public record TrainerConfig(
    ClientSettings clients,
    List<String> classNames,
    String modelName,
    NetworkSpec network,
    int batchImages,
    double learningRate,
    long seed,
    Cutout pretrainCutout,
    int reservoirCapacity,
    int holdoutPercent,
    int holdoutMax,
    int validationPercent,
    int transferEveryLabels,
    Duration transferEvery,
    int transferMinLabels,
    long transferMinSteps,
    boolean transferExclusive,
    int transferStepsBetween,
    TransferRecipe recipe,
    int propagationPool,
    int checkpointEverySteps,
    int evalEverySteps,
    Path checkpointDir,
    Path modelStore,
    int modelStoreKeep,
    String httpHost,
    int httpPort,
    String groupId) {

  public static TrainerConfig from(Settings s) {
    InputShape shape = InputShape.parse(s.get("trainer.input.shape", "1x28x28"));
    long seed = s.getLong("trainer.seed", 1);
    return new TrainerConfig(
        ClientSettings.from(s),
        ClassNames.from(s),
        s.get("trainer.model.name", "fashion-mnist"),
        NetworkSpec.forInput(shape, s.getInt("trainer.cut.block", 4)),
        s.getInt("trainer.batch.images", 64),
        Double.parseDouble(s.get("trainer.learning.rate", "0.001")),
        seed,
        new Cutout(s.getInt("trainer.pretrain.cutout", 0)),
        s.getInt("trainer.reservoir.capacity", 20_000),
        s.getInt("trainer.holdout.percent", 2),
        s.getInt("trainer.holdout.max", 1000),
        s.getInt("trainer.validation.percent", 20),
        s.getInt("trainer.transfer.every.labels", 50),
        Duration.ofMinutes(s.getLong("trainer.transfer.every.minutes", 10)),
        s.getInt("trainer.transfer.min.labels", 10),
        s.getLong("trainer.transfer.min.steps", 200),
        s.getBoolean("trainer.transfer.exclusive", true),
        s.getInt("trainer.transfer.steps.between", 10),
        new TransferRecipe(
            s.getInt("trainer.stage1.epochs", 30), 1e-3,
            s.getInt("trainer.stage2.epochs", 20), 1e-4,
            0, s.getInt("trainer.transfer.batch", 64),
            s.getInt("trainer.stage2.patience", 5), seed,
            new dev.spindle.trainer.learn.Augmentation(
                s.getBoolean("trainer.augment.flip", false), s.getInt("trainer.augment.shift", 0)),
            TransferRecipe.SelfTraining.OFF,
            new TransferRecipe.Propagation(s.getInt("trainer.propagation.rounds", 2),
                s.getInt("trainer.propagation.epochs", 2),
                Double.parseDouble(s.get("trainer.propagation.learning.rate", "1e-4")),
                new dev.spindle.trainer.learn.Augmentation(true, 2),
                s.getBoolean("trainer.propagation.agreement", true))),
        s.getInt("trainer.propagation.pool", 5_000),
        s.getInt("trainer.checkpoint.every.steps", 200),
        s.getInt("trainer.eval.every.steps", 100),
        Path.of(s.get("trainer.checkpoint.dir", ".spindle/trainer/checkpoints")),
        Path.of(s.get("trainer.model.store", ".spindle/models")),
        s.getInt("trainer.model.store.keep", 20),
        s.get("trainer.http.host", "0.0.0.0"),
        s.getInt("trainer.http.port", 8082),
        s.get("trainer.group.id", "spindle-trainer"));
  }
}
