package dev.spindle.model.artifact;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spindle.model.InputShape;
import dev.spindle.model.NetworkSpec;
import dev.spindle.model.Networks;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

class NetworkReaderTest {
  @TempDir Path dir;

  private final NetworkSpec spec = NetworkSpec.forInput(InputShape.FASHION_MNIST, 2);

  @Test
  void shouldReadTheNetworkDl4jReadsFromTheSameZip() throws Exception {
    MultiLayerNetwork written = Networks.classifier(spec, 10, 1e-3, 7);
    Path file = dir.resolve("network.zip");
    ModelSerializer.writeModel(written, file.toFile(), false);

    MultiLayerNetwork dl4j = ModelSerializer.restoreMultiLayerNetwork(file.toFile(), false);
    INDArray input = Nd4j.rand(3, 1, 28, 28);
    for (MultiLayerNetwork read : new MultiLayerNetwork[] {
        NetworkReader.read(file), NetworkReader.read(Files.readAllBytes(file))}) {
      assertThat(read.getLayerWiseConfigurations().toJson())
          .isEqualTo(dl4j.getLayerWiseConfigurations().toJson());
      assertThat(read.params().shape()).isEqualTo(dl4j.params().shape());
      assertThat(read.params().equals(dl4j.params())).isTrue();
      assertThat(read.output(input).equalsWithEps(written.output(input), 1e-6)).isTrue();
    }
  }

  @Test
  void shouldGiveEachNetworkOfTheSameArchitectureItsOwnParametersAndConfiguration()
      throws Exception {
    MultiLayerNetwork first = Networks.classifier(spec, 10, 1e-3, 1);
    MultiLayerNetwork second = Networks.classifier(spec, 10, 1e-3, 2);

    MultiLayerNetwork readFirst = NetworkReader.read(zip(first));
    MultiLayerNetwork readSecond = NetworkReader.read(zip(second));
    assertThat(readFirst.params().equals(first.params())).isTrue();
    assertThat(readSecond.params().equals(second.params())).isTrue();
    assertThat(readFirst.params().equals(readSecond.params())).isFalse();
    readFirst.getLayerWiseConfigurations().getConf(0).setSeed(99);
    assertThat(readSecond.getLayerWiseConfigurations().getConf(0).getSeed()).isNotEqualTo(99);
  }

  @Test
  void shouldReadAnyContiguousFloatArrayNd4jWritesElementForElement() throws Exception {
    for (INDArray array : new INDArray[] {
        Nd4j.rand(1, 5), Nd4j.rand(new int[] {3, 4, 2}), Nd4j.rand('f', 4, 3),
        Nd4j.linspace(1, 40_000, 40_000).reshape(40_000),
        Nd4j.rand(6, 4).get(NDArrayIndex.all(), NDArrayIndex.interval(0, 2))}) {
      INDArray read = NetworkReader.parameters(
          new ByteArrayInputStream(written(array))).orElseThrow();
      assertThat(read.shape()).isEqualTo(array.shape());
      assertThat(read.equals(array)).isTrue();
    }
  }

  @Test
  void shouldLeaveWhatItDoesNotKnowToDl4j() throws Exception {
    byte[] whole = written(Nd4j.rand(3, 4));
    assertThat(parameters(written(Nd4j.rand(3, 4).castTo(DataType.DOUBLE)))).isEmpty();
    assertThat(parameters(new byte[] {0, 3, 'o', 'l', 'd'})).isEmpty();
    assertThat(parameters(new byte[0])).isEmpty();
    for (int cut : new int[] {1, 10, 40, whole.length - 1}) {
      assertThat(parameters(Arrays.copyOf(whole, cut))).isEmpty();
    }
    assertThat(parameters(Arrays.copyOf(whole, whole.length + 4))).isEmpty();
  }

  private static java.util.Optional<INDArray> parameters(byte[] bytes) {
    return NetworkReader.parameters(new ByteArrayInputStream(bytes));
  }

  private static byte[] zip(MultiLayerNetwork net) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ModelSerializer.writeModel(net, out, false);
    return out.toByteArray();
  }

  private static byte[] written(INDArray array) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (DataOutputStream data = new DataOutputStream(out)) {
      Nd4j.write(array, data);
    }
    return out.toByteArray();
  }
}
