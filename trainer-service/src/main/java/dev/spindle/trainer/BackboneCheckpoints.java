package dev.spindle.trainer;

import dev.spindle.trainer.checkpoint.CheckpointState;
import dev.spindle.trainer.checkpoint.Checkpointer;
import dev.spindle.trainer.learn.RotationPretrainer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pretraining loop's checkpoints: each one written is a new backbone version, and none is
 * written when the newest already covers the same progress (steps, positions, model version,
 * label events), so a version is never spent on an unchanged network. Remembers the newest
 * and why the latest attempt failed (a full disk, say) for health and metrics.
 */
final class BackboneCheckpoints {
  private static final Logger log = LoggerFactory.getLogger(BackboneCheckpoints.class);

  private final Checkpointer checkpointer;
  private final TrainerMetrics metrics;
  private volatile CheckpointState newest;
  private volatile String error;

  /** From the checkpoint resumed from, or from where a fresh trainer starts (version 0). */
  BackboneCheckpoints(Checkpointer checkpointer, TrainerMetrics metrics, CheckpointState start) {
    this.checkpointer = checkpointer;
    this.metrics = metrics;
    this.newest = start;
    metrics.backboneVersion.set(start.backboneVersion());
  }

  static CheckpointState freshStart(long steps, long lastModelVersion) {
    return new CheckpointState(0, steps, Map.of(), lastModelVersion, 0, Map.of(), null,
        Instant.now());
  }

  /**
   * Writes the next version covering this progress, with the network's parameters and
   * updater state; false when nothing changed since the newest or the write failed.
   */
  boolean write(long steps, Map<String, Long> positions, TransferCoordinator transfers,
      RotationPretrainer pretrainer) {
    long version = newest.backboneVersion() + 1;
    CheckpointState state = new CheckpointState(version, steps, positions,
        transfers.lastModelVersion(), transfers.labelEventsAtLastTransfer(),
        transfers.labeledPositionsAtLastTransfer(), null, Instant.now());
    if (state.coversSameAs(newest)) {
      log.debug("checkpoint v{} covers everything done since: none written", version - 1);
      return false;
    }
    try {
      pretrainer.withNetwork(net -> {
        try {
          return checkpointer.save(state, net);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    } catch (UncheckedIOException e) {
      error = e.getCause().toString();
      metrics.checkpoints.labelValues("failed").inc();
      log.error("checkpoint v{} could not be written: {}; offsets not committed", version, error);
      return false;
    }
    newest = state;
    error = null;
    metrics.checkpoints.labelValues("written").inc();
    metrics.lastCheckpoint.set(state.created().toEpochMilli() / 1000.0);
    metrics.backboneVersion.set(version);
    log.debug("checkpoint v{} at step {}", version, steps);
    return true;
  }

  /** The newest checkpoint written or resumed from; version 0 before any. */
  CheckpointState newest() {
    return newest;
  }

  /** Why the latest checkpoint could not be written; null when it was. */
  String error() {
    return error;
  }
}
