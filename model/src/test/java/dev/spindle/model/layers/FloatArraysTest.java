package dev.spindle.model.layers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

class FloatArraysTest {

  @Test
  void shouldCutTheRowsOfAMatrixInAnyLayoutAsNd4jSeesThem() {
    INDArray rowMajor = Nd4j.linspace(DataType.FLOAT, 1, 12, 1).reshape('c', 3, 4);
    INDArray columnMajor = rowMajor.dup('f');
    INDArray view = Nd4j.linspace(DataType.FLOAT, 1, 30, 1).reshape('c', 5, 6)
        .get(NDArrayIndex.interval(1, 4), NDArrayIndex.interval(2, 5));

    for (INDArray matrix : new INDArray[] {rowMajor, columnMajor, view, view.transpose()}) {
      assertThat(FloatArrays.rows(matrix)).isDeepEqualTo(matrix.toFloatMatrix());
    }
  }

  @Test
  void shouldGiveOneRowForASingleImagesOutputs() {
    INDArray oneRow = Nd4j.createFromArray(new float[][] {{0.25f, 0.75f}});

    assertThat(FloatArrays.rows(oneRow)).isDeepEqualTo(new float[][] {{0.25f, 0.75f}});
  }

  @Test
  void shouldRefuseAnythingButAMatrix() {
    assertThatThrownBy(() -> FloatArrays.rows(Nd4j.zeros(DataType.FLOAT, 2, 3, 4)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("[2, 3, 4]");
  }
}
