package dev.spindle.serving.holder;

import dev.spindle.model.ImageBatch;
import dev.spindle.model.ImagePreprocessor;
import dev.spindle.model.InferenceNetwork;
import dev.spindle.model.artifact.LoadedModel;
import dev.spindle.model.artifact.ModelManifest;
import dev.spindle.model.layers.FloatArrays;
import dev.spindle.model.runtime.Dl4jRuntime;
import java.util.List;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A loaded, verified model ready to answer: its manifest, its preprocessor (the shared one,
 * with the model's input shape) and class probabilities for a batch of images, computed by an
 * inference copy of the network: BatchNorm folded into the convolutions, channels-last
 * ({@link InferenceNetwork}). DL4J networks
 * are not safe for concurrent use, so the model keeps a small pool of copies (one per core by
 * default): an HTTP request does not wait behind a stream batch on another copy.
 */
public final class ServedModel {
  /** The largest batch that runs on one thread (measured: one beats two up to about 8). */
  static final int SMALL_BATCH = 8;

  private final java.util.concurrent.BlockingQueue<InferenceNetwork> copies;
  private final ImagePreprocessor preprocessor;
  /** The artifact; its rotation network is read by the first health check that asks. */
  private final LoadedModel loaded;
  /** The layers below the output layer, built when first asked for {@link #features}. */
  private InferenceNetwork penultimate;
  /** {@link #gatingAnswer} for an image this model cannot read. */
  static final int CANNOT_ANSWER = -1;
  /**
   * This model's class for each gating image it was scored on, by the image's array (the
   * gating feed keeps one array per image; arrays compare by identity), weakly: an image the
   * feed dropped takes its answer with it.
   */
  private final java.util.Map<byte[], Integer> gatingAnswers = new java.util.WeakHashMap<>();

  public ServedModel(LoadedModel loaded) {
    Dl4jRuntime.applyThreadCap(); // building the copies runs ND4J operations: as capped as requests
    int n = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
    this.copies = new java.util.concurrent.ArrayBlockingQueue<>(n);
    InferenceNetwork inference = InferenceNetwork.of(loaded.network());
    copies.add(inference);
    for (int i = 1; i < n; i++) {
      copies.add(inference.copy());
    }
    this.loaded = loaded;
    this.preprocessor = new ImagePreprocessor(loaded.inputShape());
  }

  public long version() {
    return loaded.manifest().version();
  }

  public long backboneVersion() {
    return loaded.manifest().backboneVersion();
  }

  public ModelManifest manifest() {
    return loaded.manifest();
  }

  public List<String> classNames() {
    return loaded.manifest().classNames();
  }

  public ImagePreprocessor preprocessor() {
    return preprocessor;
  }

  private InferenceNetwork take() {
    try {
      return copies.take();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for a free network copy", e);
    }
  }

  /**
   * Rotation (pretext) accuracy of the backbone this model came from on {@code images}: a
   * label-free health signal that falls when the input drifts from what the backbone learned.
   * Empty when the artifact has no rotation network, or it can no longer be read: the first
   * call reads it from the artifact (kept off the swap, which it would make ~1.5x longer).
   */
  public java.util.OptionalDouble rotationAccuracy(List<float[]> images) {
    if (images.isEmpty()) {
      return java.util.OptionalDouble.empty();
    }
    java.util.Optional<MultiLayerNetwork> rotation = loaded.rotation();
    if (rotation.isEmpty()) {
      return java.util.OptionalDouble.empty();
    }
    Dl4jRuntime.applyThreadCap();
    synchronized (rotation.get()) {
      return java.util.OptionalDouble.of(dev.spindle.model.RotationBatch.accuracy(
          rotation.get(), images, preprocessor.shape()));
    }
  }

  /**
   * Class probabilities, one row per image (CHW pixels of the model's input shape). Batches of
   * up to {@value #SMALL_BATCH} images run on one thread whatever the thread cap: their
   * operations are too small to gain from a second (see {@link Dl4jRuntime#onThreads}).
   */
  public float[][] probabilities(List<float[]> images) {
    Dl4jRuntime.applyThreadCap();
    return images.size() <= SMALL_BATCH
        ? Dl4jRuntime.onThreads(1, () -> infer(images))
        : infer(images);
  }

  /**
   * Runs every network copy once on one image, on one thread as requests run, so that after a
   * swap no HTTP request waits while a copy builds its batch-1 inference plan (oneDNN
   * primitives and buffers, 2-8 ms against 0.6-0.9 ms for an answer). Larger batches' plans
   * are built by the first stream batch of their size: building them all here (1 to 64) made
   * a swap under 8-client load take 2.1 s instead of ~0.7 (bin/spindle bench-serving).
   */
  public void warmUp() {
    Dl4jRuntime.applyThreadCap();
    float[] blank = new float[preprocessor.shape().size()];
    for (InferenceNetwork copy : copies) {
      Dl4jRuntime.onThreads(1, () -> copy.outputRows(preprocessor.shape(), blank, 1));
    }
  }

  /**
   * The activations feeding the output layer (the head's hidden layer), one row per image: what
   * the trainer's label propagation compares images by, here for choosing representative label
   * requests. Off the request path (one copy, built on first use).
   */
  public synchronized float[][] features(List<float[]> images) {
    Dl4jRuntime.applyThreadCap();
    if (penultimate == null) {
      MultiLayerNetwork network = loaded.network();
      penultimate = InferenceNetwork.ofFirst(network, network.getnLayers() - 1);
    }
    try (INDArray rows = penultimate.features(preprocessor.shape(), images)) {
      return FloatArrays.rows(rows);
    }
  }

  /**
   * The class this model gave {@code image} when scored on a gating set before
   * ({@value #CANNOT_ANSWER}: it could not read it), or null.
   */
  synchronized Integer gatingAnswer(byte[] image) {
    return gatingAnswers.get(image);
  }

  synchronized void rememberGatingAnswer(byte[] image, int predicted) {
    gatingAnswers.put(image, predicted);
  }

  /** How many gating images' answers this model holds. */
  synchronized int gatingAnswersKept() {
    return gatingAnswers.size();
  }

  private float[][] infer(List<float[]> images) {
    float[] flat = ImageBatch.flat(preprocessor.shape(), images.size(), images::get);
    InferenceNetwork network = take();
    try {
      return network.outputRows(preprocessor.shape(), flat, images.size());
    } finally {
      copies.add(network);
    }
  }
}
