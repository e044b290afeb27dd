package dev.spindle.model;

import dev.spindle.model.layers.FloatArrays;
import dev.spindle.model.runtime.Parts;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * DL4J's path: the network, and when it ends in dense layers that run in Java
 * ({@link DenseTail}) the layers before them with the same parameters and that tail.
 */
final class Dl4jPath {
  private static final int SMALL_BATCH = InferenceNetwork.SMALL_BATCH;

  private final MultiLayerNetwork network;
  /** The layers before the dense tail (null: no tail), with the same parameters. */
  private final MultiLayerNetwork body;
  private final DenseTail tail;
  /** Per number of parts: the copies of {@link #network} that run a split batch's parts. */
  private final Map<Integer, MultiLayerNetwork[]> partCopies = new HashMap<>();

  private Dl4jPath(MultiLayerNetwork network, MultiLayerNetwork body, DenseTail tail) {
    this.network = network;
    this.body = body;
    this.tail = tail;
  }

  static Dl4jPath of(MultiLayerNetwork network) {
    Optional<Integer> tailStart = DenseTail.start(network);
    return tailStart.isEmpty() ? new Dl4jPath(network, null, null)
        : new Dl4jPath(network, firstLayers(network, tailStart.get()),
            DenseTail.of(network, tailStart.get()));
  }

  Dl4jPath copy() {
    return new Dl4jPath(network.clone(), body == null ? null : body.clone(), tail);
  }

  /** The output for {@code x}, in the network's own layout. */
  INDArray output(INDArray x) {
    MultiLayerNetwork run = tail != null && x.size(0) <= SMALL_BATCH ? body : network;
    INDArray out = outputOf(run, x);
    return run == body ? throughTail(out) : out;
  }

  /**
   * {@code run}'s output for {@code x}: a batch of {@value #SMALL_BATCH} or
   * more images a part, where the calling thread may use several OpenMP threads, runs as that
   * many {@link Parts}, each with a copy of the network of its own: 64 images on two OpenMP
   * threads took 43-59 ms, on one 53-64, as two halves side by side 31-45 (2-core AMD EPYC).
   */
  private INDArray outputOf(MultiLayerNetwork run, INDArray x) {
    int parts = Parts.of(x.size(0), SMALL_BATCH);
    if (parts < 2 || run != network) {
      return run.output(x, false);
    }
    MultiLayerNetwork[] copies = partCopies(parts);
    List<INDArray> outs = Parts.run(parts, x.size(0), (part, from, to) -> {
      try (INDArray rows = x.get(NDArrayIndex.interval(from, to)).dup('c')) {
        return (part == 0 ? network : copies[part - 1]).output(rows, false);
      }
    });
    INDArray out = Nd4j.concat(0, outs.toArray(INDArray[]::new));
    outs.forEach(INDArray::close);
    return out;
  }

  /** Copies of {@link #network} for the parts after the first, made on first use and kept. */
  private MultiLayerNetwork[] partCopies(int parts) {
    return partCopies.computeIfAbsent(parts, count -> {
      MultiLayerNetwork[] copies = new MultiLayerNetwork[count - 1];
      for (int i = 0; i < copies.length; i++) {
        copies[i] = network.clone();
      }
      return copies;
    });
  }

  /** The dense tail's output for the body's activations {@code out} (closed here). */
  private INDArray throughTail(INDArray out) {
    float[] values = FloatArrays.values(out);
    out.close();
    return Nd4j.create(tail.apply(FloatArrays.rows(values, tail.inputs())));
  }

  /** A network of the first {@code count} layers of {@code network}, with their parameters. */
  private static MultiLayerNetwork firstLayers(MultiLayerNetwork network, int count) {
    MultiLayerConfiguration conf = network.getLayerWiseConfigurations().clone();
    conf.setConfs(new ArrayList<>(conf.getConfs().subList(0, count)));
    Map<Integer, InputPreProcessor> preProcessors = new HashMap<>();
    conf.getInputPreProcessors().forEach((i, pre) -> {
      if (i < count) {
        preProcessors.put(i, pre);
      }
    });
    conf.setInputPreProcessors(preProcessors);
    MultiLayerNetwork first = InferenceNetwork.withZeroParameters(conf);
    first.params().assign(
        network.params().get(NDArrayIndex.interval(0, first.numParams())));
    return first;
  }
}
