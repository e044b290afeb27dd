package dev.spindle.model.artifact;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Reads a {@code ModelSerializer} zip (the artifact format is unchanged) the way a serving
 * JVM under load wants it read. DL4J's restore buffers each entry in a growing byte array (a
 * 2.4 MB humongous allocation for the Fashion-MNIST classifier's 1.9 MB of parameters, which
 * starts a G1 marking cycle once the old generation is past its threshold) and reads the
 * parameters one element at a time. Here the parameters stream from the zip entry in 64 KB
 * chunks straight into ND4J's off-heap buffer: nothing large on the Java heap. (Caching the
 * parsed configuration would not pay: the trainer's versions differ in their iteration
 * counts, so each one's JSON is new.)
 *
 * <p>Updater state is not read: a served network is never trained. A layout this reader does
 * not know (another serialisation of the parameters, a computation graph) goes to
 * {@link ModelSerializer}, so it never reads a network differently from DL4J.
 */
final class NetworkReader {
  private static final String CONFIGURATION = "configuration.json";
  private static final String COEFFICIENTS = "coefficients.bin";
  /** {@code Nd4j.write}'s header of a buffer in today's format. */
  private static final String MIXED_TYPES = "MIXED_DATA_TYPES";
  private static final int CHUNK = 1 << 16;

  private NetworkReader() {}

  /** The network in the {@code ModelSerializer} zip {@code file}, without updater state. */
  static MultiLayerNetwork read(Path file) throws IOException {
    Optional<MultiLayerNetwork> network;
    try (InputStream in = new BufferedInputStream(Files.newInputStream(file), CHUNK)) {
      network = network(in);
    }
    return network.isPresent() ? network.get()
        : ModelSerializer.restoreMultiLayerNetwork(file.toFile(), false);
  }

  /** The network in a {@code ModelSerializer} zip's bytes, without updater state. */
  static MultiLayerNetwork read(byte[] zipBytes) throws IOException {
    Optional<MultiLayerNetwork> network = network(new ByteArrayInputStream(zipBytes));
    return network.isPresent() ? network.get()
        : ModelSerializer.restoreMultiLayerNetwork(new ByteArrayInputStream(zipBytes), false);
  }

  /** The network in {@code zipped}; empty where DL4J has to read it. */
  private static Optional<MultiLayerNetwork> network(InputStream zipped) throws IOException {
    String json = null;
    Optional<INDArray> params = Optional.empty();
    try (ZipInputStream in = new ZipInputStream(zipped)) {
      for (ZipEntry entry; (entry = in.getNextEntry()) != null; ) {
        if (entry.getName().equals(CONFIGURATION)) {
          json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } else if (entry.getName().equals(COEFFICIENTS)) {
          params = parameters(in);
        }
      }
    }
    if (json == null || params.isEmpty()) {
      return Optional.empty();
    }
    MultiLayerConfiguration conf;
    try {
      conf = MultiLayerConfiguration.fromJson(json);
    } catch (RuntimeException notAMultiLayerNetwork) {
      params.get().close();
      return Optional.empty();
    }
    if (params.get().dataType() != conf.getDataType()) {
      conf.setDataType(params.get().dataType());   // as DL4J does for configurations before beta4
    }
    MultiLayerNetwork network = new MultiLayerNetwork(conf);
    network.init(params.get(), false);
    return Optional.of(network);
  }

  /**
   * The array {@code Nd4j.write} wrote to {@code raw}: a header and the shape information
   * (longs), then a header and the elements, big-endian. Empty for any other layout (DL4J
   * reads those) and for a stream that ends early or runs on.
   */
  static Optional<INDArray> parameters(InputStream raw) {
    try {
      return parsed(new DataInputStream(new BufferedInputStream(raw, CHUNK)));
    } catch (IOException | ArithmeticException truncatedOrNotThisLayout) {
      return Optional.empty();
    }
  }

  private static Optional<INDArray> parsed(DataInputStream in) throws IOException {
    long infoLength = header(in, "LONG");
    if (infoLength < 6 || infoLength > 2 * 32 + 4) {   // ranks 1 to 32
      return Optional.empty();
    }
    long[] info = new long[(int) infoLength];
    for (int i = 0; i < info.length; i++) {
      info[i] = in.readLong();
    }
    int rank = (int) info[0];
    if (rank < 1 || info.length != 2 * rank + 4) {
      return Optional.empty();
    }
    long[] shape = Arrays.copyOfRange(info, 1, 1 + rank);
    long[] stride = Arrays.copyOfRange(info, 1 + rank, 1 + 2 * rank);
    char order = (char) info[info.length - 1];
    long length = header(in, "FLOAT");
    if (length < 0 || length != product(shape) || !contiguous(shape, stride, order)) {
      return Optional.empty();
    }
    INDArray array = Nd4j.createUninitialized(DataType.FLOAT, shape, order);
    boolean whole = false;
    try {
      FloatBuffer target = array.data().asNioFloat();
      byte[] chunk = new byte[CHUNK];
      for (long left = length * Float.BYTES; left > 0; ) {
        int n = (int) Math.min(chunk.length, left);
        in.readFully(chunk, 0, n);
        target.put(ByteBuffer.wrap(chunk, 0, n).order(ByteOrder.BIG_ENDIAN).asFloatBuffer());
        left -= n;
      }
      whole = in.read() == -1;
      return whole ? Optional.of(array) : Optional.empty();
    } finally {
      if (!whole) {
        array.close();   // its native memory now, not when the collector finds it
      }
    }
  }

  /** A buffer header's length if it is in today's format with elements of {@code type}, else -1. */
  private static long header(DataInputStream in, String type) throws IOException {
    if (!in.readUTF().equals(MIXED_TYPES)) {
      return -1;
    }
    long length = in.readLong();
    return in.readUTF().equals(type) ? length : -1;
  }

  private static long product(long[] shape) {
    long n = 1;
    for (long d : shape) {
      n = Math.multiplyExact(n, d);
    }
    return n;
  }

  private static boolean contiguous(long[] shape, long[] stride, char order) {
    if (order != 'c' && order != 'f') {
      return false;
    }
    long expected = 1;
    for (int k = 0; k < shape.length; k++) {
      int d = order == 'c' ? shape.length - 1 - k : k;
      if (shape[d] > 1 && stride[d] != expected) {
        return false;
      }
      expected *= shape[d];
    }
    return true;
  }
}
