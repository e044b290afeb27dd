package dev.spindle.trainer.feed;

import dev.spindle.model.DataSplit;
import static org.assertj.core.api.Assertions.assertThat;

import dev.spindle.model.InputShape;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class LabeledStoreTest {
  private static final InputShape SHAPE = InputShape.FASHION_MNIST;

  @Test
  void shouldLetARelabelReplaceTheOldLabel() {
    LabeledStore store = new LabeledStore(SHAPE, 0);
    store.put(id(1), new float[784], 3);
    store.put(id(1), new float[784], 5);
    LabeledStore.Snapshot snapshot = store.snapshot();
    assertThat(snapshot.labelsUsed()).isEqualTo(1);
    assertThat(snapshot.train().label(0)).isEqualTo(5);
  }

  @Test
  void shouldCountNewLabelsAndRelabelsButNotRepeats() {
    LabeledStore store = new LabeledStore(SHAPE, 20);
    store.put(id(1), new float[784], 3);
    store.put(id(2), new float[784], 3);
    store.put(id(1), new float[784], 3); // the same label again: nothing new
    store.put(id(1), new float[784], 4); // a relabel: new information
    assertThat(store.newLabelsSinceTransfer()).isEqualTo(3);
    store.markTransfer(store.labelEvents());
    assertThat(store.newLabelsSinceTransfer()).isZero();
  }

  @Test
  void shouldCountAsNewAfterARestartOnlyWhatCameAfterTheLastTransferEvenWithRelabelsCompacted() {
    LabeledStore before = new LabeledStore(SHAPE, 20);
    for (int offset = 0; offset < 10; offset++) {
      before.put(id(offset), new float[784], 3, 0, offset);
    }
    before.put(id(2), new float[784], 4, 0, 10); // a relabel of offset 2's image
    before.markTransfer(before.snapshot());
    for (int offset = 11; offset < 14; offset++) {
      before.put(id(offset), new float[784], 5, 0, offset);
    }
    assertThat(before.newLabelsSinceTransfer()).isEqualTo(3);
    assertThat(before.positionsAtLastTransfer()).containsEntry(0, 11L);

    // restarted: the topic read back after compaction removed offset 2 (superseded by 10)
    LabeledStore after = new LabeledStore(SHAPE, 20);
    after.restoreMark(before.labelEventsAtLastTransfer(), before.positionsAtLastTransfer());
    for (int offset = 0; offset < 10; offset++) {
      if (offset != 2) {
        after.put(id(offset), new float[784], 3, 0, offset);
      }
    }
    after.put(id(2), new float[784], 4, 0, 10);
    for (int offset = 11; offset < 14; offset++) {
      after.put(id(offset), new float[784], 5, 0, offset);
    }
    assertThat(after.newLabelsSinceTransfer()).isEqualTo(3);
    assertThat(after.size()).isEqualTo(before.size());
  }

  @Test
  void shouldSplitDeterministicallyByImageIdIntoAboutTwentyPercentValidation() {
    LabeledStore first = new LabeledStore(SHAPE, 20);
    LabeledStore second = new LabeledStore(SHAPE, 20);
    IntStream.range(0, 2000).forEach(i -> first.put(id(i), new float[784], i % 10));
    IntStream.range(0, 2000).map(i -> 1999 - i).forEach(i -> second.put(id(i), new float[784], i % 10));
    int validation = first.snapshot().validation().size();
    assertThat(validation).isBetween(320, 480);
    assertThat(second.snapshot().validation().size()).isEqualTo(validation);
    assertThat(DataSplit.isValidation(id(7), 20)).isEqualTo(DataSplit.isValidation(id(7), 20));
  }

  /** A SHA-256 hex id, as ingest makes them. */
  static String id(int i) {
    return dev.spindle.schemas.ImageIds.of(Integer.toString(i).getBytes(
        java.nio.charset.StandardCharsets.UTF_8));
  }
}
