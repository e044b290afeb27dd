package dev.spindle.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.dataset.DataSet;

class RotationBatchTest {
  @Test
  void shouldPutAllFourRotationsOfEachImageInTheSameBatch() {
    InputShape shape = new InputShape(1, 8, 8);
    float[] a = new float[64];
    float[] b = new float[64];
    for (int i = 0; i < 64; i++) {
      a[i] = i;
      b[i] = 100 + i;
    }
    DataSet batch = RotationBatch.of(List.of(a, b), shape);

    assertThat(batch.getFeatures().shape()).containsExactly(8, 1, 8, 8);
    assertThat(batch.getLabels().argMax(1).toIntVector()).containsExactly(0, 1, 2, 3, 0, 1, 2, 3);
    for (int k = 0; k < 4; k++) {
      assertThat(batch.getFeatures().slice(k).reshape(64).toFloatVector())
          .containsExactly(Rotations.rotated(a, shape, k));
      assertThat(batch.getFeatures().slice(4 + k).reshape(64).toFloatVector())
          .containsExactly(Rotations.rotated(b, shape, k));
    }
  }
}
