package dev.spindle.model.artifact;

import dev.spindle.model.InputShape;
import java.util.Optional;
import java.util.function.Supplier;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/**
 * A verified, loaded artifact: the classifier, the manifest and the rotation network the
 * classifier came from (when the trainer included it). The rotation network, as large as the
 * classifier, only serves the label-free health check: an artifact from {@link ModelStore#load}
 * reads it when it is first asked for, not while a swap waits.
 */
public final class LoadedModel {
  private final MultiLayerNetwork network;
  private final ModelManifest manifest;
  private Supplier<Optional<MultiLayerNetwork>> rotationReader;
  private Optional<MultiLayerNetwork> rotation;

  /** A model whose rotation network (if any) is already loaded. */
  public LoadedModel(MultiLayerNetwork network, Optional<MultiLayerNetwork> rotation,
      ModelManifest manifest) {
    this.network = network;
    this.rotation = rotation;
    this.manifest = manifest;
  }

  /** A model whose rotation network {@code rotationReader} reads when first asked for. */
  LoadedModel(MultiLayerNetwork network, Supplier<Optional<MultiLayerNetwork>> rotationReader,
      ModelManifest manifest) {
    this.network = network;
    this.rotationReader = rotationReader;
    this.manifest = manifest;
  }

  public MultiLayerNetwork network() {
    return network;
  }

  public ModelManifest manifest() {
    return manifest;
  }

  public InputShape inputShape() {
    return InputShape.parse(manifest.inputShape());
  }

  /**
   * The rotation network, read on the first call where it was not loaded with the model; empty
   * when the artifact has none or it can no longer be read (then for good).
   */
  public synchronized Optional<MultiLayerNetwork> rotation() {
    if (rotation == null) {
      rotation = rotationReader.get();
      rotationReader = null;
    }
    return rotation;
  }
}
