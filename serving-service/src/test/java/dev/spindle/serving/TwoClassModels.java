package dev.spindle.serving;

import dev.spindle.serving.holder.GatingSet;

import dev.spindle.model.InputShape;
import dev.spindle.model.NetworkSpec;
import dev.spindle.model.Networks;
import dev.spindle.model.artifact.ModelManifest;
import dev.spindle.model.artifact.ModelStore;
import dev.spindle.model.artifact.StoredModel;
import dev.spindle.schemas.avro.ModelVersion;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.imageio.ImageIO;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Real, small models for serving tests: "dark" vs "light" 28x28 images. {@link #good} learns
 * the difference; {@link #inverted} is the same network with its output negated, so it is
 * wrong on nearly every image. Artifacts go through the real model store.
 */
public final class TwoClassModels {
  public static final List<String> CLASSES = List.of("dark", "light");
  private static final NetworkSpec SPEC = NetworkSpec.forInput(InputShape.FASHION_MNIST, 1);

  private final ModelStore store;
  private final String modelName;
  private final MultiLayerNetwork good;

  public TwoClassModels(Path storeDir) {
    this(storeDir, "two-class");
  }

  public TwoClassModels(Path storeDir, String modelName) {
    this.store = new ModelStore(storeDir);
    this.modelName = modelName;
    this.good = Networks.classifier(SPEC, 2, 1e-2, 1);
    Random random = new Random(1);
    for (int step = 0; step < 15; step++) {
      float[] x = new float[32 * 784];
      float[] y = new float[32 * 2];
      for (int i = 0; i < 32; i++) {
        int label = i % 2;
        for (int p = 0; p < 784; p++) {
          x[i * 784 + p] = pixel(label, random) / 255f;
        }
        y[i * 2 + label] = 1;
      }
      good.fit(new DataSet(Nd4j.create(x, new long[] {32, 1, 28, 28}, 'c'),
          Nd4j.create(y, new long[] {32, 2}, 'c')));
    }
  }

  /** Writes the trained network as {@code version} and returns its event. */
  public ModelVersion good(long version) throws Exception {
    return publish(good, version);
  }

  /** Writes the trained network with a (freshly initialised) rotation network inside. */
  public ModelVersion goodWithRotation(long version) throws Exception {
    return publish(good, Networks.rotationNet(SPEC, 1e-3, 4), version);
  }

  /** Writes the network with its output layer negated (nearly always wrong) as {@code version}. */
  public ModelVersion inverted(long version) throws Exception {
    MultiLayerNetwork bad = good.clone();
    bad.getLayer(bad.getLayers().length - 1).params().muli(-1);
    return publish(bad, version);
  }

  /** Labeled PNGs: {@code n} of each class. */
  public static GatingSet gatingSet(int n) throws Exception {
    List<byte[]> images = new ArrayList<>();
    List<String> labels = new ArrayList<>();
    Random random = new Random(2);
    for (int i = 0; i < 2 * n; i++) {
      int label = i % 2;
      images.add(png(label, random));
      labels.add(CLASSES.get(label));
    }
    return new GatingSet(images, labels);
  }

  public static byte[] png(int label, Random random) throws Exception {
    BufferedImage image = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
    for (int p = 0; p < 784; p++) {
      image.getRaster().setSample(p % 28, p / 28, 0, pixel(label, random));
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(image, "png", out);
    return out.toByteArray();
  }

  /** Flips one byte in the middle of the artifact's network file. */
  public static void corrupt(ModelVersion event) throws java.io.IOException {
    Path file = Path.of(java.net.URI.create(event.getArtifactUri())).resolve(ModelStore.NETWORK_FILE);
    try (java.io.RandomAccessFile raf = new java.io.RandomAccessFile(file.toFile(), "rw")) {
      raf.seek(raf.length() / 2);
      int b = raf.read();
      raf.seek(raf.length() / 2);
      raf.write(b ^ 0xFF);
    }
  }

  private static int pixel(int label, Random random) {
    return label == 0 ? random.nextInt(60) : 195 + random.nextInt(60);
  }

  private ModelVersion publish(MultiLayerNetwork net, long version) throws Exception {
    return publish(net, null, version);
  }

  private ModelVersion publish(MultiLayerNetwork net, MultiLayerNetwork rotation, long version)
      throws Exception {
    StoredModel stored = store.write(net, rotation, new ModelManifest(modelName, version, version,
        "1x28x28", CLASSES, 1, 32, Map.of("accuracy", 1.0), new int[2][2], Instant.now(), null));
    return ModelVersion.newBuilder().setModelName(modelName).setVersion(version)
        .setBackboneVersion(version).setArtifactUri(stored.uri().toString())
        .setSha256(stored.sha256()).setMetrics(Map.of("accuracy", 1.0)).setLabelsUsed(32)
        .setCreatedAt(Instant.now()).build();
  }
}
