package dev.spindle.trainer.checkpoint;

import java.time.Instant;
import java.util.Map;

/**
 * What a checkpoint covers, next to the backbone file it names.
 *
 * @param backboneVersion increases by one with every checkpoint
 * @param steps pretraining steps done
 * @param positions per "topic-partition" of the image topics: the next offset not yet trained
 *     on (everything below it was in at least one step)
 * @param lastModelVersion the newest model version published
 * @param labelEventsAtLastTransfer the labeled store's event count the last transfer used
 * @param labeledPositionsAtLastTransfer per partition of {@code images.labeled}, the next
 *     offset after the records the last transfer used (empty in checkpoints from before it was
 *     kept): read back after a restart, the records below it count as used, also when
 *     compaction has removed superseded relabels, which changes the event count
 * @param backboneFile the rotation network (parameters + updater), relative to the directory
 * @param created when it was written
 */
public record CheckpointState(
    long backboneVersion,
    long steps,
    Map<String, Long> positions,
    long lastModelVersion,
    long labelEventsAtLastTransfer,
    Map<Integer, Long> labeledPositionsAtLastTransfer,
    String backboneFile,
    Instant created) {

  public CheckpointState {
    positions = Map.copyOf(positions);
    labeledPositionsAtLastTransfer = labeledPositionsAtLastTransfer == null ? Map.of()
        : Map.copyOf(labeledPositionsAtLastTransfer);
  }

  /**
   * Whether this covers the same progress as {@code other}: steps, positions, model version
   * and the last transfer's mark (version, file and time aside), so it would hold the same
   * network.
   */
  public boolean coversSameAs(CheckpointState other) {
    return steps == other.steps && positions.equals(other.positions)
        && lastModelVersion == other.lastModelVersion
        && labelEventsAtLastTransfer == other.labelEventsAtLastTransfer
        && labeledPositionsAtLastTransfer.equals(other.labeledPositionsAtLastTransfer);
  }
}
